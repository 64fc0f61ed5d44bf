"""Gateway sessions and event fan-out: sequence numbers, intents, shards, and a replay buffer for RESUME.

Every dispatch names the guild it belongs to (``None`` for DMs and other events without a guild): a sharded session
gets a guild's events only when ``(guild_id >> 22) % num_shards == shard_id``, and events without a guild only on
shard 0 (Discord's "Sharding" section of the Gateway docs: "Sharding Formula", and "Gateway events that do not
contain a guild_id will only be sent to the first shard"). A session identified without ``shard`` gets everything.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Hub", "Intent", "Session", "on_shard", "shard_of"]

log = logging.getLogger(__name__)


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15


def shard_of(guild_id: int, num_shards: int) -> int:
    """The shard that gets ``guild_id``'s events (Discord's sharding formula)."""
    return (guild_id >> 22) % num_shards


def on_shard(guild_id: int | None, shard: list[int] | None) -> bool:
    """Whether a session identified with ``shard`` gets the events of ``guild_id`` (``None``: no guild, shard 0's)."""
    if shard is None:
        return True
    shard_id, num_shards = shard
    return shard_id == (0 if guild_id is None else shard_of(guild_id, num_shards))


@dataclass(slots=True)
class Session:
    """One identified session. It outlives its connection, so a RESUME can replay what was missed."""

    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    outbox: asyncio.Queue[dict[str, Any]] | None = None

    def has(self, intent: int) -> bool:
        return bool(self.intents & intent)

    def receives(self, guild_id: int | None) -> bool:
        return on_shard(guild_id, self.shard)

    def push(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        payload = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.sent.append(payload)
        if self.outbox is not None:
            self.outbox.put_nowait(payload)

    def replay_after(self, seq: int) -> list[dict[str, Any]]:
        return [p for p in self.sent if p["s"] > seq]


class Hub:
    """Every session the fake has opened; dispatches reach the live ones at once and the others on RESUME."""

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self.connected: list[Any] = []

    def open_session(self, *, intents: int, shard: list[int] | None) -> Session:
        session = Session(id=secrets.token_hex(16), intents=intents, shard=shard)
        self.sessions[session.id] = session
        return session

    def dispatch(self, event: str, build: Callable[[Session], dict[str, Any] | None], *, guild_id: int | None) -> int:
        """Send ``event`` of ``guild_id`` (``None``: no guild) to each session whose shard gets that guild's events
        and for which ``build`` returns a payload; returns how many got it."""
        count = 0
        for session in self.sessions.values():
            if not session.receives(guild_id):
                continue
            data = build(session)
            if data is not None:
                session.push(event, data)
                count += 1
        log.debug("dispatched %s to %d session(s)", event, count)
        return count

    def dispatch_all(self, event: str, data: dict[str, Any], *, guild_id: int | None, intent: int | None = None) -> int:
        return self.dispatch(event, lambda s: data if intent is None or s.has(intent) else None, guild_id=guild_id)
