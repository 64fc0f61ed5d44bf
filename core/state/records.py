"""Chain records by chain id, and which chain and step each posted platform message shows.

Both outlive the process (TTL setting, default 7 days), so a reaction on a message posted before a restart still
finds its step. Records are written whole; the service saves one when a chain starts and again as it changes.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from redis.asyncio import Redis

from core.codec import CodecError, event_from_dict, event_to_dict
from core.events import Step
from core.llm.types import Usage
from core.state.guard import RedisGuard
from core.state.keys import Keys

__all__ = ["ChainRecord", "ChainRecords", "ChainStatus", "MessageLink"]

log = logging.getLogger(__name__)

ChainStatus = Literal["running", "answered", "failed", "cached"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainRecord:
    """One run or cache hit. ``error`` is the user-safe message of a failed chain."""

    chain_id: str
    question: str
    asker: str
    place: str
    strategy: str
    model: str
    status: ChainStatus = "running"
    steps: tuple[Step, ...] = ()
    answer: str | None = None
    usage: Usage = dataclasses.field(default_factory=Usage)
    error: str | None = None
    created_at: float = dataclasses.field(default_factory=time.time)

    def to_json(self) -> str:
        body = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        body["steps"] = [event_to_dict(s) for s in self.steps]
        body["usage"] = {f.name: getattr(self.usage, f.name) for f in dataclasses.fields(self.usage)}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> ChainRecord:
        body: dict[str, Any] = json.loads(raw)
        steps = tuple(event_from_dict(s) for s in body.pop("steps", ()))
        if not all(isinstance(s, Step) for s in steps):
            raise CodecError("a chain record's steps must all be steps")
        body["usage"] = Usage(**body.get("usage", {}))
        return cls(steps=steps, **body)  # type: ignore[arg-type]  # checked above


@dataclass(frozen=True, slots=True)
class MessageLink:
    """``step`` is the 1-based step a message shows, or ``None`` for a chain's other messages (header, answer)."""

    chain_id: str
    step: int | None

    @classmethod
    def from_json(cls, raw: str | bytes) -> MessageLink:
        body = json.loads(raw)
        step = body["step"]
        return cls(chain_id=str(body["chain_id"]), step=None if step is None else int(step))


class ChainRecords:
    """Store and look up records and message links. While Redis is down writes are skipped and lookups miss."""

    def __init__(self, *, redis: Redis, keys: Keys, guard: RedisGuard, ttl: float = 7 * 24 * 3600.0) -> None:
        self.ttl = ttl
        self._redis = redis
        self._keys = keys
        self._guard = guard

    @property
    def _ttl_ms(self) -> int:
        return max(1, round(self.ttl * 1000))

    async def save(self, record: ChainRecord) -> bool:
        key, blob = self._keys.key("chain", record.chain_id), record.to_json()
        return bool(await self._guard.run(lambda: self._redis.set(key, blob, px=self._ttl_ms), None))

    async def get(self, chain_id: str) -> ChainRecord | None:
        return await self._load(self._keys.key("chain", chain_id), ChainRecord.from_json)

    async def link(self, message_id: str, *, chain_id: str, step: int | None) -> bool:
        """Remember that platform message ``message_id`` shows ``step`` of ``chain_id``."""
        key, blob = self._keys.key("msg", message_id), json.dumps({"chain_id": chain_id, "step": step})
        return bool(await self._guard.run(lambda: self._redis.set(key, blob, px=self._ttl_ms), None))

    async def resolve(self, message_id: str) -> MessageLink | None:
        return await self._load(self._keys.key("msg", message_id), MessageLink.from_json)

    async def find_step(self, message_id: str) -> tuple[ChainRecord, Step | None] | None:
        """The record behind a posted message and the step it shows (``None`` when it shows no step)."""
        link = await self.resolve(message_id)
        record = await self.get(link.chain_id) if link else None
        if link is None or record is None:
            return None
        step = next((s for s in record.steps if s.index == link.step), None)
        return record, step

    async def _load(self, key: str, parse: Callable[[str | bytes], T]) -> T | None:
        raw = await self._guard.run(lambda: self._redis.get(key), None)
        if raw is None:
            return None
        try:
            return parse(raw)
        except (ValueError, TypeError, KeyError, CodecError):
            log.warning("Ignoring an unreadable entry at %s", key)
            return None
