"""Per-route, per-channel rate limits with Discord's headers: fixed windows that open on the first request."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter", "Rule", "Verdict"]


@dataclass(frozen=True, slots=True)
class Rule:
    limit: int
    window: float


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    headers: dict[str, str]
    retry_after: float


def _ceil_ms(seconds: float) -> float:
    """Round up to the millisecond, so a client waiting exactly this long finds the window reset."""
    return math.ceil(max(seconds, 0.0) * 1000) / 1000


class RateLimiter:
    """Counts requests per ``(bucket, major id)``; a bucket's window opens with its first request."""

    def __init__(self, *, rules: dict[str, Rule], clock: Callable[[], float]) -> None:
        self._rules = rules
        self._clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    @staticmethod
    def bucket_hash(bucket: str) -> str:
        return hashlib.sha1(bucket.encode(), usedforsecurity=False).hexdigest()[:32]

    def hit(self, bucket: str, major: str) -> Verdict:
        """Count one request; the verdict says whether it may pass and carries the headers to send."""
        rule = self._rules[bucket]
        now = self._clock()
        opened, used = self._windows.get((bucket, major), (now, 0))
        if now >= opened + rule.window:
            opened, used = now, 0
        reset_after = _ceil_ms(opened + rule.window - now)
        allowed = used < rule.limit
        if allowed:
            used += 1
            self._windows[(bucket, major)] = (opened, used)
        headers = {
            "X-RateLimit-Limit": str(rule.limit),
            "X-RateLimit-Remaining": str(rule.limit - used),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": self.bucket_hash(bucket),
        }
        if not allowed:
            headers["X-RateLimit-Scope"] = "user"
            headers["Retry-After"] = str(math.ceil(reset_after))
        return Verdict(allowed=allowed, headers=headers, retry_after=reset_after)
