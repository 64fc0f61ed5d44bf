"""Per-place settings (a Discord server, a Slack workspace) in Redis, over the deployment's defaults.

``<prefix>:place:<place>`` holds one JSON object, written whole by an admin's change. Every process keeps what it
read for ``ttl`` seconds, and a change is announced on ``<prefix>:control:settings`` (the stop channel's
subscription hears it: :class:`~core.state.stops.StopChannel`), so it takes effect at once on every replica; the
TTL only bounds how long a missed announcement could go unnoticed. While Redis is down a place has its defaults.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis

from core.places import PlaceSettings
from core.state.guard import RedisGuard
from core.state.keys import Keys

__all__ = ["PlaceSettingsStore"]

log = logging.getLogger(__name__)


class PlaceSettingsStore:
    """``await store.get(place)``; ``await store.put(place, settings, by=who)``; ``store.forget(place)`` when an
    announcement says it changed (``announce`` publishes one: given by whoever holds the subscription)."""

    def __init__(
        self,
        *,
        redis: Redis,
        keys: Keys,
        guard: RedisGuard,
        ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._guard = guard
        self._ttl = ttl
        self._clock = clock
        self._known: dict[str, tuple[float, PlaceSettings]] = {}
        self.channel = keys.key("control", "settings")

    async def get(self, place: str) -> PlaceSettings:
        known = self._known.get(place)
        if known is not None and self._clock() - known[0] < self._ttl:
            return known[1]
        raw = await self._guard.run(lambda: self._redis.get(self._keys.key("place", place)), None)
        settings = PlaceSettings()
        if raw is not None:
            try:
                settings = PlaceSettings.from_json(raw)
            except (ValueError, TypeError):
                log.warning("Ignoring unreadable settings for a place")
        self._known[place] = (self._clock(), settings)
        return settings

    async def put(self, place: str, settings: PlaceSettings, *, by: str) -> PlaceSettings:
        """Store ``settings`` for ``place`` and tell every process; logs which fields ``by`` changed."""
        before = await self.get(place)
        stored = dataclasses.replace(settings, changed_by=by, changed_at=time.time())

        async def write() -> None:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.set(self._keys.key("place", place), stored.to_json())
                pipe.publish(self.channel, place)
                await pipe.execute()

        await self._guard.call(write)
        self._known[place] = (self._clock(), stored)
        log.info("settings of %s changed by %s: %s", place, by, ", ".join(stored.changes(before)) or "nothing")
        return stored

    def forget(self, place: str) -> None:
        self._known.pop(place, None)
