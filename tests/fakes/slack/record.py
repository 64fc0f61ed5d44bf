"""The fake's memory of what happened, readable from any thread, with waits for what tests expect to see."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TypeVar

from tests.fakes.slack.models import ApiCall, Ephemeral, Message, RateLimited, ReactionChange, StatusChange, Update
from tests.fakes.slack.stream_state import StreamedMessage
from tests.fakes.slack.waiting import ChangeNotifier

__all__ = ["SlackRecord"]

T = TypeVar("T")

Key = tuple[str, str]


class SlackRecord:
    """Messages per channel and thread in ts order, edits, reactions, ephemerals, 429s and every API call; streamed
    messages (their tasks and markdown) and the assistant statuses set."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changes = ChangeNotifier()
        self._messages: dict[Key, Message] = {}
        self._reactions: dict[Key, dict[str, list[str]]] = {}
        self.ephemerals: list[Ephemeral] = []
        self.updates: list[Update] = []
        self.reaction_changes: list[ReactionChange] = []
        self.rate_limited: list[RateLimited] = []
        self.calls: list[ApiCall] = []
        self._streams: dict[Key, StreamedMessage] = {}
        self.statuses: list[StatusChange] = []

    # --- writes (the fake's own loop) -------------------------------------------------------------------------

    def add_message(self, message: Message) -> Message:
        with self._lock:
            self._messages[(message.channel, message.ts)] = message
        self._changes.notify()
        return message

    def edit_message(self, channel: str, ts: str, **changes: object) -> Message:
        with self._lock:
            message = dataclasses.replace(self._messages[(channel, ts)], **changes)  # type: ignore[arg-type]
            self._messages[(channel, ts)] = message
            if "text" in changes or "blocks" in changes:
                self.updates.append(Update(channel=channel, ts=ts, text=message.text, blocks=message.blocks))
        self._changes.notify()
        return message

    def put_stream(self, stream: StreamedMessage) -> Message:
        """Show ``stream`` as it now stands: its message's text is the markdown, its blocks the plan and markdown
        (not counted as an edit: streaming is not ``chat.update``)."""
        key = (stream.channel, stream.ts)
        with self._lock:
            message = dataclasses.replace(self._messages[key], text=stream.markdown, blocks=stream.blocks())
            self._messages[key] = message
            self._streams[key] = stream
        self._changes.notify()
        return message

    def add_status(self, change: StatusChange) -> None:
        with self._lock:
            self.statuses.append(change)
        self._changes.notify()

    def add_reaction(self, change: ReactionChange) -> bool:
        """Apply an add or remove; ``False`` if it changes nothing (already reacted, or no such reaction)."""
        with self._lock:
            users = self._reactions.setdefault((change.channel, change.ts), {}).setdefault(change.name, [])
            if change.added == (change.user in users):
                return False
            if change.added:
                users.append(change.user)
            else:
                users.remove(change.user)
            self.reaction_changes.append(change)
        self._changes.notify()
        return True

    def append(self, item: Ephemeral | RateLimited | ApiCall) -> None:
        with self._lock:
            target: list[Ephemeral] | list[RateLimited] | list[ApiCall]
            if isinstance(item, Ephemeral):
                target = self.ephemerals
            elif isinstance(item, RateLimited):
                target = self.rate_limited
            else:
                target = self.calls
            target.append(item)  # type: ignore[arg-type]
        self._changes.notify()

    # --- reads ------------------------------------------------------------------------------------------------

    def message(self, channel: str, ts: str) -> Message | None:
        with self._lock:
            return self._messages.get((channel, ts))

    def messages(self, channel: str | None = None) -> list[Message]:
        """Every live message (top level and replies), in ts order, optionally in one channel."""
        with self._lock:
            found = [m for m in self._messages.values() if not m.deleted and channel in (None, m.channel)]
        return sorted(found, key=lambda m: float(m.ts))

    def timeline(self, channel: str) -> list[Message]:
        """What the channel shows outside threads: top-level messages and replies broadcast to the channel."""
        return [m for m in self.messages(channel) if not m.is_reply or m.reply_broadcast]

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """The live replies under ``thread_ts`` in order (the parent itself excluded)."""
        return [m for m in self.messages(channel) if m.is_reply and m.thread_ts == thread_ts]

    def reactions(self, channel: str, ts: str) -> dict[str, tuple[str, ...]]:
        """``{name: (user, ...)}`` for names with at least one user."""
        with self._lock:
            names = self._reactions.get((channel, ts), {})
            return {name: tuple(users) for name, users in names.items() if users}

    def stream(self, channel: str, ts: str) -> StreamedMessage | None:
        """The streamed message at ``ts``, as it stands (``None``: no stream was started there)."""
        with self._lock:
            return self._streams.get((channel, ts))

    def streams(self, channel: str | None = None) -> list[StreamedMessage]:
        """Every streamed message, in ts order, optionally in one channel."""
        with self._lock:
            found = [s for s in self._streams.values() if channel in (None, s.channel)]
        return sorted(found, key=lambda s: float(s.ts))

    def status(self, channel: str, thread_ts: str) -> str:
        """The status the thread shows now: the last one set, unless cleared or followed by a reply of the bot's
        (Slack takes the status down when the app replies)."""
        with self._lock:
            last = next((c for c in reversed(self.statuses) if (c.channel, c.thread_ts) == (channel, thread_ts)), None)
        if last is None or not last.status:
            return ""
        replies = [m for m in self.thread(channel, thread_ts) if m.bot_id is not None]
        return "" if any(float(m.ts) > float(last.ts) for m in replies) else last.status

    def calls_to(self, method: str) -> list[ApiCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    @property
    def rate_limited_count(self) -> int:
        with self._lock:
            return len(self.rate_limited)

    def summary(self) -> str:
        """A short, secret-free description for timeout and assertion messages."""
        with self._lock:
            lines = [f"{m.channel} {m.ts} thread={m.thread_ts} {m.text[:60]!r}" for m in self.messages()]
            for stream in self._streams.values():
                state = "streaming" if stream.streaming else "stopped"
                lines.append(f"stream {stream.ts} {state}: {len(stream.tasks)} tasks, {len(stream.markdown)} chars")
            lines.append(f"ephemerals={len(self.ephemerals)} updates={len(self.updates)} 429s={len(self.rate_limited)}")
        return "\n".join(lines)

    # --- waits ------------------------------------------------------------------------------------------------

    async def wait_for(
        self,
        check: Callable[[], T | None],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - our TimeoutError shows the record
        what: str = "a condition",
    ) -> T:
        """Return ``check()``'s first truthy result, re-checked on every change; ``TimeoutError`` otherwise."""
        return await self._changes.wait_until(check, timeout=timeout, what=lambda: f"{what}; record:\n{self.summary()}")

    async def wait_thread(
        self,
        channel: str,
        thread_ts: str,
        count: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Message]:
        """Wait until the thread under ``thread_ts`` holds at least ``count`` replies; return them all."""

        def enough() -> list[Message]:
            replies = self.thread(channel, thread_ts)
            return replies if len(replies) >= count else []

        return await self.wait_for(enough, timeout=timeout, what=f"{count} replies in {channel}/{thread_ts}")

    async def wait_messages(self, channel: str, count: int, *, timeout: float = 5.0) -> list[Message]:  # noqa: ASYNC109
        """Wait until ``channel`` holds at least ``count`` live messages (replies included); return them."""

        def enough() -> list[Message]:
            found = self.messages(channel)
            return found if len(found) >= count else []

        return await self.wait_for(enough, timeout=timeout, what=f"{count} messages in {channel}")
