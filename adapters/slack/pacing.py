"""Per-channel pacing of ``chat.postMessage``: Slack allows about one message per second per channel.

Posts to one channel go one at a time, in the order they asked for a slot (``asyncio.Lock`` wakes waiters
first-in, first-out), each at least ``interval`` seconds after the previous one ended. Whoever holds a slot may
gather everything that queued up meanwhile into one message: that is how steps arriving faster get coalesced.
A 429 that still happens (another process posting, a burst elsewhere) is retried by slack_sdk's
``AsyncRateLimitErrorRetryHandler`` on the client, honouring ``Retry-After``; see :func:`retry_handlers`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

__all__ = ["ChannelPacer", "CountingRateLimitHandler", "retry_handlers"]

_PRUNE_AT = 1024


class ChannelPacer:
    def __init__(self, *, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        if interval < 0:
            raise ValueError("interval must be >= 0")
        self._interval = interval
        self._clock = clock
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}

    @asynccontextmanager
    async def slot(self, channel: str) -> AsyncIterator[None]:
        """Hold ``channel``'s posting slot for one post; waits for earlier holders and the interval."""
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            wait = self._next.get(channel, 0.0) - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._next[channel] = self._clock() + self._interval
        self._prune()

    def _prune(self) -> None:
        if len(self._locks) < _PRUNE_AT:
            return
        now = self._clock()
        for channel in [c for c, lock in self._locks.items() if not lock.locked() and self._next.get(c, 0) <= now]:
            del self._locks[channel]
            self._next.pop(channel, None)


class CountingRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (waits ``Retry-After`` plus jitter, then retries) that also reports each 429."""

    def __init__(self, *, max_retry_count: int, on_rate_limited: Callable[[], None]) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._on_rate_limited = on_rate_limited

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            self._on_rate_limited()
        return bool(await super().can_retry_async(state=state, request=request, response=response, error=error))


def retry_handlers(*, max_retries: int, on_rate_limited: Callable[[], None] | None = None) -> list[AsyncRetryHandler]:
    """Retry 429s (after ``Retry-After``), 5xx answers and dropped connections, ``max_retries`` times each;
    ``on_rate_limited`` hears of every 429 (metrics)."""
    rate_limits = (
        AsyncRateLimitErrorRetryHandler(max_retry_count=max_retries)
        if on_rate_limited is None
        else CountingRateLimitHandler(max_retry_count=max_retries, on_rate_limited=on_rate_limited)
    )
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=max_retries),
        rate_limits,
        AsyncServerErrorRetryHandler(max_retry_count=max_retries),
    ]
