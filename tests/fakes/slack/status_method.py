"""``assistant.threads.setStatus``: the status line ("is thinking…") under a thread, with loading messages.

Slack's rules: ``channel_id``, ``thread_ts`` and ``status`` are required (an empty status clears it);
``loading_messages`` holds 1 to 10 messages of 1 to 50 characters. Since March 2026 the method takes ``chat:write``
(or ``assistant:write``), so apps set it in channel threads too. The status goes away when the app replies in the
thread (:meth:`~tests.fakes.slack.record.SlackRecord.status`); Slack's two-minute timeout is not kept.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.slack.api_errors import ApiError, refused
from tests.fakes.slack.clock import TsClock
from tests.fakes.slack.models import StatusChange
from tests.fakes.slack.params import Call
from tests.fakes.slack.record import SlackRecord
from tests.fakes.slack.shapes import CHANNEL_ID
from tests.fakes.slack.webapi import WebApi

__all__ = ["LOADING_MESSAGE", "LOADING_MESSAGES", "StatusMethod"]

LOADING_MESSAGES = 10
LOADING_MESSAGE = 50


class StatusMethod:
    """``refusal``: the error every call gets (a workspace where the app may not set statuses, e.g.
    ``missing_scope`` for an app installed before it asked for ``chat:write``); ``None``: Slack's rules."""

    def __init__(self, *, record: SlackRecord, clock: TsClock, refusal: str | None = None) -> None:
        self._record = record
        self._clock = clock
        self.refusal = refusal

    def register(self, api: WebApi) -> None:
        api.add("assistant.threads.setStatus", self.set_status)

    async def set_status(self, call: Call) -> dict[str, Any]:
        if self.refusal is not None:
            raise ApiError(self.refusal)
        channel, thread_ts = call.text("channel_id"), call.text("thread_ts")
        if not CHANNEL_ID.match(channel):
            raise ApiError("channel_not_found", extra={"detail": "Invalid channel_id"})
        parent = self._record.message(channel, thread_ts)
        if parent is None or parent.is_reply or parent.deleted:
            raise ApiError("invalid_thread_ts")
        status = call.params.get("status")
        if not isinstance(status, str):
            raise _invalid("status is required")
        loading = _loading(call.params.get("loading_messages"))
        self._record.add_status(StatusChange(channel, thread_ts, status, loading, self._clock.next()))
        return {}


def _loading(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    ok = isinstance(raw, list) and 1 <= len(raw) <= LOADING_MESSAGES
    if not ok or not all(isinstance(m, str) and 1 <= len(m) <= LOADING_MESSAGE for m in raw):
        raise _invalid(
            f"loading_messages must hold 1 to {LOADING_MESSAGES} messages of 1 to {LOADING_MESSAGE} characters"
        )
    return tuple(raw)


def _invalid(detail: str) -> ApiError:
    return refused("invalid_arguments", [detail])
