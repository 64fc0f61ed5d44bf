"""Gateway sessions and event fan-out: sequence numbers, intents, and a replay buffer for RESUME."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Hub", "Intent", "Session"]

log = logging.getLogger(__name__)


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15


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

    def dispatch(self, event: str, build: Callable[[Session], dict[str, Any] | None]) -> int:
        """Send ``event`` to each session for which ``build`` returns a payload; returns how many got it."""
        count = 0
        for session in self.sessions.values():
            data = build(session)
            if data is not None:
                session.push(event, data)
                count += 1
        log.debug("dispatched %s to %d session(s)", event, count)
        return count

    def dispatch_all(self, event: str, data: dict[str, Any], *, intent: int | None = None) -> int:
        return self.dispatch(event, lambda s: data if intent is None or s.has(intent) else None)
