"""What the fake records: what a Slack user would see, and what the app asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "Ack",
    "ApiCall",
    "Ephemeral",
    "Message",
    "RateLimited",
    "ReactionChange",
    "StatusChange",
    "Update",
]

Blocks = tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Message:
    """A message as it stands now (``edits`` counts ``chat.update`` calls; deleted ones stay, flagged)."""

    channel: str
    ts: str
    text: str
    user: str
    blocks: Blocks = ()
    thread_ts: str | None = None
    reply_broadcast: bool = False
    bot_id: str | None = None
    edits: int = 0
    deleted: bool = False

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


@dataclass(frozen=True, slots=True)
class Ephemeral:
    """Seen only by ``user``. ``source``: ``chat.postEphemeral``, ``ack`` (slash command) or ``response_url``."""

    channel: str
    user: str
    text: str
    source: str
    blocks: Blocks = ()
    thread_ts: str | None = None
    ts: str | None = None


@dataclass(frozen=True, slots=True)
class Update:
    """One ``chat.update``: the new text and blocks of ``channel``/``ts``."""

    channel: str
    ts: str
    text: str
    blocks: Blocks = ()


@dataclass(frozen=True, slots=True)
class ReactionChange:
    channel: str
    ts: str
    name: str
    user: str
    added: bool


@dataclass(frozen=True, slots=True)
class RateLimited:
    """One request answered with HTTP 429."""

    method: str
    channel: str
    retry_after: int


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Web API request as the fake understood it (the token is never kept)."""

    method: str
    params: dict[str, Any]
    ok: bool
    error: str | None = None
    status: int = 200


@dataclass(frozen=True, slots=True)
class Ack:
    """A Socket Mode acknowledgement: the envelope it answers, its optional payload, and the delivery it followed."""

    envelope_id: str
    payload: dict[str, Any] | None
    attempt: int


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One ``assistant.threads.setStatus``: ``status`` (empty: cleared), the loading messages it rotates, and
    ``ts``, when it was set (the fake clock's ts: a reply posted after it clears it)."""

    channel: str
    thread_ts: str
    status: str
    loading_messages: tuple[str, ...] = ()
    ts: str = ""
