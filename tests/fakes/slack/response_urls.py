"""Slash command ``response_url`` endpoints: what the app sends there lands in the record as the user sees it."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tests.fakes.slack.clock import TsClock
from tests.fakes.slack.models import Ephemeral, Message
from tests.fakes.slack.record import SlackRecord
from tests.fakes.slack.workspace import Workspace

__all__ = ["ResponseUrls"]


class ResponseUrls:
    """``/commands/<trigger_id>`` accepts JSON ``{text, blocks, response_type, thread_ts}``."""

    def __init__(self, *, workspace: Workspace, record: SlackRecord, clock: TsClock) -> None:
        self._ws = workspace
        self._record = record
        self._clock = clock
        self._targets: dict[str, tuple[str, str]] = {}
        self.base = ""

    def url_for(self, trigger_id: str, channel: str, user: str) -> str:
        """A fresh response URL for one command by ``user`` in ``channel`` (``base`` is set once serving)."""
        self._targets[trigger_id] = (channel, user)
        return f"{self.base}/commands/{trigger_id}"

    def ephemeral_from_ack(self, trigger_id: str, payload: dict[str, Any]) -> None:
        """A slash command ack with text shows the invoking user that text (or the channel, if ``in_channel``)."""
        if payload.get("text") or payload.get("blocks"):
            self._show(trigger_id, payload, source="ack")

    async def handle(self, request: web.Request) -> web.Response:
        trigger_id = request.match_info["trigger_id"]
        if trigger_id not in self._targets:
            return web.Response(status=404, text="expired_url")
        try:
            payload = json.loads(await request.text())
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        if not isinstance(payload, dict) or not (payload.get("text") or payload.get("blocks")):
            return web.Response(status=400, text="no_text")
        self._show(trigger_id, payload, source="response_url")
        return web.json_response({"ok": True})

    def _show(self, trigger_id: str, payload: dict[str, Any], *, source: str) -> None:
        if trigger_id not in self._targets:
            return
        channel, user = self._targets[trigger_id]
        text, blocks = str(payload.get("text", "")), tuple(payload.get("blocks") or ())
        thread_ts = payload.get("thread_ts")
        if payload.get("response_type") == "in_channel":
            ts = self._clock.next()
            message = Message(channel, ts, text, self._ws.bot_user_id, blocks, thread_ts, bot_id=self._ws.bot_id)
            self._record.add_message(message)
        else:
            self._record.append(Ephemeral(channel, user, text, source, blocks, thread_ts))
