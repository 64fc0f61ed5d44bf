"""Result cache: a finished chain, stored whole, keyed by what decides its answer."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio import Redis

from core.codec import CodecError, event_from_dict, event_to_dict
from core.events import ChainStarted, Event, FinalAnswer, Step
from core.state.batch import Batch
from core.state.guard import RedisGuard
from core.state.keys import Keys

__all__ = ["ResultCache", "as_cached", "cache_key", "normalize_question"]

log = logging.getLogger(__name__)

_KEY_VERSION = "v1"


def normalize_question(question: str) -> str:
    """Case folded, runs of whitespace collapsed to one space, ends trimmed."""
    return " ".join(question.casefold().split())


def cache_key(
    *,
    question: str,
    strategy: str,
    model: str,
    prompt_version: str,
    options: Mapping[str, Any] | None = None,
) -> str:
    """Hex SHA-256 over the normalized question and everything else that changes the answer.

    ``options`` holds the rest (temperature, step cap, earlier turns of a follow-up...); values must be JSON-able.
    Key order does not matter.
    """
    material = [_KEY_VERSION, normalize_question(question), strategy, model, prompt_version, dict(options or {})]
    blob = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def as_cached(events: Sequence[Event], *, chain_id: str) -> tuple[Event, ...]:
    """The stored events relabelled for a replay: a new chain id, and ``cached=True`` where events carry it."""
    out: list[Event] = []
    for event in events:
        if isinstance(event, ChainStarted | Step | FinalAnswer):
            out.append(dataclasses.replace(event, chain_id=chain_id, cached=True))
        else:
            out.append(dataclasses.replace(event, chain_id=chain_id))
    return tuple(out)


class ResultCache:
    """``get``/``put`` by a :func:`cache_key`. Misses, and all calls while Redis is down, return ``None``."""

    def __init__(self, *, redis: Redis, keys: Keys, guard: RedisGuard, ttl: float = 24 * 3600.0) -> None:
        self.ttl = ttl
        self._redis = redis
        self._keys = keys
        self._guard = guard

    def key_name(self, key: str) -> str:
        return self._keys.key("cache", key)

    async def get(self, key: str) -> tuple[Event, ...] | None:
        raw = await self._guard.run(lambda: self._redis.get(self.key_name(key)), None)
        return None if raw is None else self.decode(raw, key)

    def decode(self, raw: str | bytes, key: str) -> tuple[Event, ...] | None:
        """A stored entry's events; ``None`` (a miss, logged) when it cannot be read."""
        try:
            return tuple(event_from_dict(item) for item in json.loads(raw))
        except (ValueError, TypeError, CodecError):
            log.warning("Ignoring an unreadable cache entry %s", key)
            return None

    async def put(self, key: str, events: Sequence[Event]) -> bool:
        """Store a chain that ended in a :class:`FinalAnswer`; anything else is not stored (returns False)."""
        batch = Batch(self._redis)
        if not self.put_into(batch, key, events):
            return False
        return bool(await self._guard.run(batch.send, None))

    def put_into(self, batch: Batch, key: str, events: Sequence[Event]) -> bool:
        """:meth:`put` as part of ``batch``; ``False`` (nothing added) unless ``events`` end in a final answer."""
        if not events or not isinstance(events[-1], FinalAnswer):
            return False
        blob = json.dumps([event_to_dict(e) for e in events], separators=(",", ":"), ensure_ascii=False)
        batch.command("SET", self.key_name(key), blob, "PX", max(1, round(self.ttl * 1000)))
        return True
