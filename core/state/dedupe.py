"""Dedupe for redelivered platform events (Slack retries, Discord resume replays).

``claim`` takes a processing lease (a random token, with a TTL) unless the event is done or leased by someone else;
``done`` turns the lease into a done marker, but only for the holder of the token. A process that crashes between
the two leaves the lease to expire, so a later redelivery processes the event; a redelivery after ``done`` is
refused for ``done_ttl``. While Redis is down every claim succeeds (better to answer twice than never).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from redis.asyncio import Redis

from core.state.batch import Batch
from core.state.guard import RedisGuard
from core.state.keys import Keys
from core.state.scripts import Script

__all__ = ["Deduper", "Lease"]

_CLAIM = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 'done' end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'claimed' end
return 'busy'
"""

_DONE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
redis.call('DEL', KEYS[1])
return 1
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"""


@dataclass(frozen=True, slots=True)
class Lease:
    """Proof of a claim. ``degraded`` leases were granted without Redis and check nothing."""

    event_key: str
    token: str
    degraded: bool = False


class Deduper:
    def __init__(
        self,
        *,
        redis: Redis,
        keys: Keys,
        guard: RedisGuard,
        lease_ttl: float = 120.0,
        done_ttl: float = 24 * 3600.0,
    ) -> None:
        self._keys = keys
        self._guard = guard
        self.lease_ms = max(1, round(lease_ttl * 1000))
        self.done_ms = max(1, round(done_ttl * 1000))
        self._claim = Script(redis=redis, source=_CLAIM)
        self._done = Script(redis=redis, source=_DONE)
        self._release = Script(redis=redis, source=_RELEASE)

    def pair(self, event_key: str) -> list[str]:
        return [self._keys.key("dedupe", "lease", event_key), self._keys.key("dedupe", "done", event_key)]

    async def claim(self, event_key: str) -> Lease | None:
        """A lease to process ``event_key``, or ``None`` when it is done or being processed elsewhere."""
        token = secrets.token_hex(16)
        keys, args = self.pair(event_key), [token, str(self.lease_ms)]
        outcome = await self._guard.run(lambda: self._claim(keys, args), None)
        if outcome is None:
            return Lease(event_key, token, degraded=True)
        return Lease(event_key, token) if outcome in (b"claimed", "claimed") else None

    async def done(self, lease: Lease) -> bool:
        """Mark the event done; ``False`` when the lease had expired and someone else holds the event now."""
        if lease.degraded:
            return False
        keys, args = self.pair(lease.event_key), [lease.token, str(self.done_ms)]
        return bool(await self._guard.run(lambda: self._done(keys, args), 0))

    def done_into(self, batch: Batch, lease: Lease) -> None:
        """:meth:`done` as part of ``batch``."""
        if not lease.degraded:
            batch.script(self._done, self.pair(lease.event_key), [lease.token, str(self.done_ms)])

    def release_into(self, batch: Batch, lease: Lease) -> None:
        """:meth:`release` as part of ``batch``."""
        if not lease.degraded:
            batch.script(self._release, self.pair(lease.event_key), [lease.token])

    async def release(self, lease: Lease) -> bool:
        """Give the event back unprocessed, so a redelivery may process it at once."""
        if lease.degraded:
            return False
        keys, args = self.pair(lease.event_key), [lease.token]
        return bool(await self._guard.run(lambda: self._release(keys, args), 0))
