"""``chat.postMessage``, ``chat.update``, ``chat.postEphemeral`` and ``chat.delete`` with Slack's checks and limits.

Stricter than Slack in one place on purpose: ``thread_ts`` must be the ts of a live top-level message in that
channel (a reply's ts or an unknown ts is ``invalid_thread_ts``), so an adapter that threads wrongly fails loudly.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.slack.api_errors import ApiError, refused
from tests.fakes.slack.clock import TsClock
from tests.fakes.slack.models import Ephemeral, Message
from tests.fakes.slack.params import Call, channel_of, flag
from tests.fakes.slack.ratelimit import ChannelRateLimiter
from tests.fakes.slack.record import SlackRecord
from tests.fakes.slack.shapes import message_json
from tests.fakes.slack.validation import MessageError, check_message, parse_blocks
from tests.fakes.slack.webapi import WebApi
from tests.fakes.slack.workspace import Workspace

__all__ = ["ChatMethods"]


class ChatMethods:
    def __init__(
        self, *, workspace: Workspace, record: SlackRecord, clock: TsClock, limiter: ChannelRateLimiter
    ) -> None:
        self._ws = workspace
        self._record = record
        self._clock = clock
        self._limiter = limiter

    def register(self, api: WebApi) -> None:
        api.add("chat.postMessage", self.post_message)
        api.add("chat.update", self.update)
        api.add("chat.postEphemeral", self.post_ephemeral)
        api.add("chat.delete", self.delete)

    async def post_message(self, call: Call) -> dict[str, Any]:
        channel = channel_of(call)
        retry_after = self._limiter.take(channel)
        if retry_after is not None:
            raise ApiError("ratelimited", status=429, retry_after=retry_after)
        text, blocks = _content(call)
        thread_ts = call.text("thread_ts") or None
        if thread_ts is not None:
            parent = self._record.message(channel, thread_ts)
            if parent is None or parent.is_reply or parent.deleted:
                raise ApiError("invalid_thread_ts")
        message = Message(
            channel=channel,
            ts=self._clock.next(),
            text=text,
            user=self._ws.bot_user_id,
            blocks=tuple(blocks),
            thread_ts=thread_ts,
            reply_broadcast=thread_ts is not None and flag(call.params.get("reply_broadcast")),
            bot_id=self._ws.bot_id,
        )
        self._record.add_message(message)
        return {"channel": channel, "ts": message.ts, "message": message_json(message, self._ws)}

    async def update(self, call: Call) -> dict[str, Any]:
        channel, ts = channel_of(call), call.text("ts")
        self._own_message(channel, ts, refusal="cant_update_message")
        text, blocks = _content(call)
        old = self._record.message(channel, ts)
        assert old is not None
        message = self._record.edit_message(channel, ts, text=text, blocks=tuple(blocks), edits=old.edits + 1)
        return {"channel": channel, "ts": ts, "text": text, "message": message_json(message, self._ws)}

    async def post_ephemeral(self, call: Call) -> dict[str, Any]:
        channel, user = channel_of(call), call.text("user")
        if self._ws.user(user) is None:
            raise ApiError("user_not_found")
        text, blocks = _content(call)
        ts = self._clock.next()
        thread_ts = call.text("thread_ts") or None
        note = Ephemeral(channel, user, text, "chat.postEphemeral", tuple(blocks), thread_ts, ts)
        self._record.append(note)
        return {"message_ts": ts}

    async def delete(self, call: Call) -> dict[str, Any]:
        channel, ts = channel_of(call), call.text("ts")
        self._own_message(channel, ts, refusal="cant_delete_message")
        self._record.edit_message(channel, ts, deleted=True)
        return {"channel": channel, "ts": ts}

    def _own_message(self, channel: str, ts: str, *, refusal: str) -> None:
        message = self._record.message(channel, ts)
        if message is None or message.deleted:
            raise ApiError("message_not_found")
        if message.user != self._ws.bot_user_id:
            raise ApiError(refusal)


def _content(call: Call) -> tuple[str, list[dict[str, Any]]]:
    text = call.text("text")
    try:
        blocks = parse_blocks(call.params.get("blocks"))
        check_message(text, blocks)
    except MessageError as exc:
        raise refused(exc.error, exc.errors) from None
    return text, blocks
