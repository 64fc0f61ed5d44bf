"""What the chain records and the message index share: one Redis, its key names and guard, and a TTL."""

from __future__ import annotations

from redis.asyncio import Redis

from core.state.guard import RedisGuard
from core.state.keys import Keys

__all__ = ["RECORD_TTL", "Expiring"]

RECORD_TTL = 7 * 24 * 3600.0
"""Seconds records and message links live by default (the ``THINKBOT_RECORD_TTL`` setting)."""


class Expiring:
    """A state primitive whose keys expire ``ttl`` seconds after their last write."""

    def __init__(self, *, redis: Redis, keys: Keys, guard: RedisGuard, ttl: float = RECORD_TTL) -> None:
        self.ttl = ttl
        self._redis = redis
        self._keys = keys
        self._guard = guard

    @property
    def ttl_ms(self) -> int:
        return max(1, round(self.ttl * 1000))
