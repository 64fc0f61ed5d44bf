"""What the fake saw and what a Discord user would see, as frozen records, with waiters for tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .components import COMPONENTS_V2, TEXT_DISPLAY, walk

__all__ = [
    "CallbackRecord",
    "GatewayConnection",
    "MessageEvent",
    "PostedMessage",
    "ReactionEvent",
    "Recorder",
    "RequestRecord",
    "ThreadCreated",
]

EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass(frozen=True, slots=True)
class PostedMessage:
    """A message as it stands after a create or edit. ``mentions`` and friends are who Discord would ping."""

    id: int
    channel_id: int
    author_id: int
    content: str
    embeds: tuple[Mapping[str, Any], ...]
    allowed_mentions: Mapping[str, Any] | None
    flags: int
    source: Literal["channel", "interaction", "followup", "user"]
    interaction_id: int | None
    mentions: tuple[int, ...]
    mention_roles: tuple[int, ...]
    mention_everyone: bool
    attachments: tuple[str, ...]
    reply_to: int | None
    edited: bool
    files: tuple[tuple[str, bytes], ...] = ()
    components: tuple[Mapping[str, Any], ...] = ()
    visible_to: int | None = None

    def file(self, filename: str) -> bytes:
        """The bytes of the attachment called ``filename`` (KeyError if there is none)."""
        return dict(self.files)[filename]

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def components_v2(self) -> bool:
        return bool(self.flags & COMPONENTS_V2)

    def seen_by(self, user_id: int) -> bool:
        """Whether ``user_id`` sees this message (an ephemeral one only its one user sees)."""
        return not self.ephemeral or self.visible_to == user_id

    def custom_ids(self) -> list[str]:
        """The custom ids of its buttons and selects, at every depth, in order."""
        return [c["custom_id"] for c in walk(self.components) if c.get("custom_id")]

    def text(self) -> str:
        """What it says: its content, or the text of its text displays (a Components V2 message)."""
        if not self.components_v2:
            return self.content
        return "\n".join(c.get("content") or "" for c in walk(self.components) if c.get("type") == TEXT_DISPLAY)

    @property
    def loading(self) -> bool:
        """A deferred interaction's "is thinking..." placeholder, not yet filled in."""
        return bool(self.flags & LOADING)


@dataclass(frozen=True, slots=True)
class MessageEvent:
    action: Literal["create", "edit", "delete"]
    message: PostedMessage


@dataclass(frozen=True, slots=True)
class ThreadCreated:
    id: int
    parent_id: int
    message_id: int | None
    name: str
    type: int
    owner_id: int


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    action: Literal["add", "remove"]
    channel_id: int
    message_id: int
    emoji: str
    user_id: int


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    interaction_id: int
    type: int
    data: Mapping[str, Any] | None
    status: int


@dataclass(frozen=True, slots=True)
class RequestRecord:
    method: str
    path: str
    status: int
    bucket: str | None


@dataclass(frozen=True, slots=True)
class GatewayConnection:
    path: str
    encoding: str
    compress: str | None
    opened_with: Literal["identify", "resume"]
    session_id: str | None
    shard: tuple[int, int] | None = None  # [shard_id, num_shards] of the session, if it was identified with one


class Recorder:
    """Append-only lists of records plus a change signal tests can wait on (on the fake's event loop)."""

    def __init__(self) -> None:
        self.requests: list[RequestRecord] = []
        self.message_events: list[MessageEvent] = []
        self.threads: list[ThreadCreated] = []
        self.reactions: list[ReactionEvent] = []
        self.callbacks: list[CallbackRecord] = []
        self.connections: list[GatewayConnection] = []
        self.rate_limited: list[RequestRecord] = []
        self._changed = asyncio.Event()

    def add(self, target: list[Any], record: Any) -> None:
        target.append(record)
        self.notify()

    def notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    @property
    def count_429(self) -> int:
        return len(self.rate_limited)

    def messages(self, channel_id: int, *, include_ephemeral: bool = True) -> list[PostedMessage]:
        """The messages in a channel as they stand now, oldest first; deleted ones are left out."""
        current: dict[int, PostedMessage | None] = {}
        for event in self.message_events:
            if event.message.channel_id == channel_id:
                current[event.message.id] = None if event.action == "delete" else event.message
        found = [m for m in current.values() if m is not None]
        return [m for m in found if include_ephemeral or not m.ephemeral]

    def seen_by(self, channel_id: int, user_id: int) -> list[PostedMessage]:
        """The messages in a channel as ``user_id`` sees them: everyone's, and the ephemeral ones shown to them."""
        return [m for m in self.messages(channel_id) if m.seen_by(user_id)]

    def history(self, channel_id: int) -> list[MessageEvent]:
        """Every create, edit and delete in a channel, in the order they happened."""
        return [e for e in self.message_events if e.message.channel_id == channel_id]

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float, what: str = "condition") -> None:  # noqa: ASYNC109 - the TimeoutError names what never came
        """Wait until ``predicate()`` holds, re-checking after every recorded change; TimeoutError after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"waited {timeout}s for {what}")
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                continue

    async def wait_for_messages(self, channel_id: int, count: int, *, timeout: float = 5.0) -> list[PostedMessage]:  # noqa: ASYNC109 - the TimeoutError names what never came
        """Wait until ``channel_id`` holds at least ``count`` messages (ephemeral included); returns them."""
        what = f"{count} messages in channel {channel_id}"
        try:
            await self.wait_until(lambda: len(self.messages(channel_id)) >= count, timeout=timeout, what=what)
        except TimeoutError as exc:
            seen = [m.content[:60] for m in self.messages(channel_id)]
            raise TimeoutError(f"{exc}; saw {len(seen)}: {seen}") from None
        return self.messages(channel_id)
