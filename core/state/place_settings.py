"""Per-place settings (a Discord server, a Slack workspace) in Redis, over the deployment's defaults.

``<prefix>:place:<place>`` holds one JSON object, written whole by an admin's change. Every process keeps what it
read for ``ttl`` seconds, and a change is announced on ``<prefix>:control:settings`` (the stop channel's
subscription hears it: :class:`~core.state.stops.StopChannel`), so it takes effect at once on every replica; the
TTL only bounds how long a missed announcement could go unnoticed. While Redis is down a place has its defaults.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from core.state.guard import RedisGuard
from core.state.keys import Keys

__all__ = ["PlaceSettings", "PlaceSettingsStore"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceSettings:
    """``None`` or empty: the deployment's default. ``channels``: the only channels the bot answers in;
    ``roles``: the only roles (Slack: user groups) whose members it answers; ``daily_tokens``: the place's own
    budget, at most the operator's."""

    model: str | None = None
    strategy: str | None = None
    display: str | None = None
    channels: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    daily_tokens: int | None = None
    changed_by: str = ""
    changed_at: float = 0.0

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> PlaceSettings:
        body: dict[str, Any] = json.loads(raw)
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in body.items() if k in known}
        for name in ("channels", "roles"):
            values[name] = tuple(str(v) for v in values.get(name, ()))
        return cls(**values)

    def changes(self, other: PlaceSettings) -> list[str]:
        """Names of the fields (other than who and when) that differ from ``other``."""
        skip = {"changed_by", "changed_at"}
        return [
            f.name
            for f in dataclasses.fields(self)
            if f.name not in skip and getattr(self, f.name) != getattr(other, f.name)
        ]


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
