"""Slack's per-channel posting limit: about one message per second with a short burst allowed."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["ChannelRateLimiter"]


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
