"""Slack's rate limits: per channel, about one message posted per second with a short burst allowed; per method,
the tiers (so many calls a minute per app and workspace)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["METHOD_TIERS", "ChannelRateLimiter", "MethodRateLimiter"]


class ChannelRateLimiter:
    """A token bucket per channel: ``burst`` posts at once, then one every ``interval`` seconds."""

    def __init__(self, *, interval: float, burst: int, now: Callable[[], float] = time.monotonic) -> None:
        if interval < 0 or burst < 1:
            raise ValueError("interval must be >= 0 and burst >= 1")
        self._interval = interval
        self._burst = burst
        self._now = now
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, channel: str) -> int | None:
        """Spend one post for ``channel``; ``None`` if allowed, else the whole seconds to wait (Retry-After)."""
        if self._interval == 0:
            return None
        now = self._now()
        tokens, stamp = self._buckets.get(channel, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - stamp) / self._interval)
        if tokens >= 1.0:
            self._buckets[channel] = (tokens - 1.0, now)
            return None
        self._buckets[channel] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) * self._interval))


METHOD_TIERS: dict[str, tuple[int, float]] = {
    "chat.startStream": (20, 60.0),
    "chat.stopStream": (20, 60.0),
    "chat.appendStream": (100, 60.0),
}
"""Calls per window (seconds) of methods Slack rates by tier, per app and workspace: ``chat.startStream`` and
``chat.stopStream`` are Tier 2 (20 a minute), ``chat.appendStream`` Tier 4 (100 a minute)."""


class MethodRateLimiter:
    """Slack's per-method tiers: ``limits`` maps a method to (calls, window seconds), a burst of ``calls`` then one
    every ``window / calls`` seconds; methods not named are not limited here."""

    def __init__(self, limits: dict[str, tuple[int, float]], *, now: Callable[[], float] = time.monotonic) -> None:
        self._buckets = {
            method: ChannelRateLimiter(interval=window / calls, burst=calls, now=now)
            for method, (calls, window) in limits.items()
        }

    def take(self, method: str) -> int | None:
        """Spend one call of ``method``; ``None`` if allowed, else the whole seconds to wait (Retry-After)."""
        bucket = self._buckets.get(method)
        return None if bucket is None else bucket.take(method)
