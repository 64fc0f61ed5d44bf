"""``chat.startStream``, ``chat.appendStream`` and ``chat.stopStream`` with Slack's argument rules, and what makes
Slack refuse them.

- ``startStream`` needs ``channel`` and (in this fake, always) ``thread_ts``, the ts of a live top-level message
  there: a streamed message is a reply to a user's request. Outside a DM it also needs ``recipient_team_id``
  (``missing_recipient_team_id``; a team other than the workspace's is ``invalid_arguments``) and
  ``recipient_user_id`` (``missing_recipient_user_id``; someone unknown is ``user_not_found``).
  ``task_display_mode`` is ``timeline`` (the default) or ``plan``; ``markdown_text`` at most 12,000 characters.
  It posts a message, so it takes a turn of the channel's posting limit.
- ``appendStream`` and ``stopStream`` need ``channel`` and ``ts`` of a streamed message: an unknown ts is
  ``message_not_found``; a stopped stream or a message that is not streaming is ``message_not_in_streaming_state``.
  ``appendStream`` needs ``markdown_text`` or ``chunks`` (``no_text``). ``stopStream`` may add markdown, chunks and
  ``blocks`` (shown at the bottom) and ends the stream.
- Refusals a test sets with :class:`StreamRules`: streaming unavailable (the methods are unknown:
  ``unknown_method``), every ``startStream`` refused with one error (``not_allowed``, ``missing_scope``, …), channel
  kinds without streams (``channel_type_not_supported``), and streams that stop by themselves when idle.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.slack.api_errors import ApiError, refused
from tests.fakes.slack.clock import TsClock
from tests.fakes.slack.models import Message
from tests.fakes.slack.params import Call, channel_of
from tests.fakes.slack.ratelimit import ChannelRateLimiter
from tests.fakes.slack.record import SlackRecord
from tests.fakes.slack.shapes import message_json
from tests.fakes.slack.stream_state import ChunkError, StreamedMessage, check_chunks
from tests.fakes.slack.validation import MARKDOWN_TEXT, MessageError, check_message, parse_blocks
from tests.fakes.slack.webapi import WebApi
from tests.fakes.slack.workspace import Workspace

__all__ = ["StreamMethods", "StreamRules"]

MODES = frozenset({"timeline", "plan"})


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamRules:
    """``available``: the workspace knows the stream methods; ``refusal``: the error every ``startStream`` gets;
    ``unsupported``: the first letters of channel ids whose kind has no streams (``"G"``: private channels);
    ``idle_timeout``: seconds after which a stream nobody appends to is no longer streaming."""

    available: bool = True
    refusal: str | None = None
    unsupported: str = ""
    idle_timeout: float | None = None


class StreamMethods:
    def __init__(
        self,
        *,
        workspace: Workspace,
        record: SlackRecord,
        clock: TsClock,
        limiter: ChannelRateLimiter,
        rules: StreamRules,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ws = workspace
        self._record = record
        self._clock = clock
        self._limiter = limiter
        self._rules = rules
        self._now = now
        self._active: dict[tuple[str, str], float] = {}  # stream -> when it last changed

    def register(self, api: WebApi) -> None:
        if not self._rules.available:
            return
        api.add("chat.startStream", self.start)
        api.add("chat.appendStream", self.append)
        api.add("chat.stopStream", self.stop)

    async def start(self, call: Call) -> dict[str, Any]:
        channel = channel_of(call)
        if self._rules.refusal:
            raise ApiError(self._rules.refusal)
        if channel[0] in self._rules.unsupported:
            raise ApiError("channel_type_not_supported")
        thread_ts = self._thread(call, channel)
        recipient = self._recipient(call, channel)
        mode = call.text("task_display_mode") or "timeline"
        if mode not in MODES:
            raise _invalid("task_display_mode must be timeline or plan")
        chunks = _chunks(call)
        retry_after = self._limiter.take(channel)
        if retry_after is not None:
            raise ApiError("ratelimited", status=429, retry_after=retry_after)
        ts = self._clock.next()
        stream = _apply(StreamedMessage(channel=channel, ts=ts, thread_ts=thread_ts, mode=mode, recipient=recipient),
                        chunks)  # fmt: skip
        bot = self._ws.bot_user_id
        self._record.add_message(Message(channel, ts, "", bot, thread_ts=thread_ts, bot_id=self._ws.bot_id))
        self._record.put_stream(stream)
        self._active[(channel, ts)] = self._now()
        return {"channel": channel, "ts": ts}

    async def append(self, call: Call) -> dict[str, Any]:
        stream = self._streaming(call)
        chunks = _chunks(call)
        if not chunks:
            raise ApiError("no_text")
        updated = dataclasses.replace(_apply(stream, chunks), appends=stream.appends + 1)
        self._record.put_stream(updated)
        self._active[(stream.channel, stream.ts)] = self._now()
        return {"channel": stream.channel, "ts": stream.ts}

    async def stop(self, call: Call) -> dict[str, Any]:
        stream = self._streaming(call)
        try:
            blocks = parse_blocks(call.params.get("blocks"))
            check_message("", blocks, require_content=False)
        except MessageError as exc:
            raise refused(exc.error, exc.errors) from None
        updated = _apply(stream, _chunks(call))
        updated = dataclasses.replace(updated, streaming=False, end_blocks=tuple(blocks))
        message = self._record.put_stream(updated)
        self._active.pop((stream.channel, stream.ts), None)
        return {"channel": stream.channel, "ts": stream.ts, "message": message_json(message, self._ws)}

    def _thread(self, call: Call, channel: str) -> str:
        thread_ts = call.text("thread_ts")
        if not thread_ts:
            raise _invalid("thread_ts is required: a streamed message replies to a request")
        parent = self._record.message(channel, thread_ts)
        if parent is None or parent.is_reply or parent.deleted:
            raise ApiError("invalid_thread_ts")
        return thread_ts

    def _recipient(self, call: Call, channel: str) -> str | None:
        team, user = call.text("recipient_team_id"), call.text("recipient_user_id")
        if channel.startswith("D") and not (team or user):
            return None
        if not team:
            raise ApiError("missing_recipient_team_id")
        if not user:
            raise ApiError("missing_recipient_user_id")
        if team != self._ws.team_id:
            raise _invalid("recipient_team_id is not the team of this workspace")
        if self._ws.user(user) is None:
            raise ApiError("user_not_found")
        return user

    def _streaming(self, call: Call) -> StreamedMessage:
        channel, ts = channel_of(call), call.text("ts")
        if not ts:
            raise _invalid("ts is required")
        message = self._record.message(channel, ts)
        if message is None or message.deleted:
            raise ApiError("message_not_found")
        stream = self._record.stream(channel, ts)
        if stream is None or not stream.streaming:
            raise ApiError("message_not_in_streaming_state")
        idle = self._rules.idle_timeout
        if idle is not None and self._now() - self._active.get((channel, ts), 0.0) > idle:
            self._record.put_stream(dataclasses.replace(stream, streaming=False))
            raise ApiError("message_not_in_streaming_state")
        return stream


def _chunks(call: Call) -> list[dict[str, Any]]:
    """The call's content as chunks: its ``markdown_text`` first (at most 12,000 characters), then ``chunks``."""
    text = call.params.get("markdown_text")
    if text is not None and (not isinstance(text, str) or len(text) > MARKDOWN_TEXT):
        raise _invalid(f"markdown_text must be a string of at most {MARKDOWN_TEXT} characters")
    try:
        chunks = check_chunks(call.params.get("chunks"))
    except ChunkError as exc:
        raise refused(exc.error, exc.errors) from None
    return ([{"type": "markdown_text", "text": text}] if text else []) + chunks


def _apply(stream: StreamedMessage, chunks: list[dict[str, Any]]) -> StreamedMessage:
    try:
        return stream.with_chunks(chunks)
    except ChunkError as exc:
        raise refused(exc.error, exc.errors) from None


def _invalid(detail: str) -> ApiError:
    return refused("invalid_arguments", [detail])
