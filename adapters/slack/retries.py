"""Slack's 429s, 5xx answers and dropped connections, retried by slack_sdk's own handlers on the client (honouring
``Retry-After``): what still happens when another process posts too, or a pace is set too fast. The pace itself
is :class:`adapters.chat.pacing.ChannelPacer`'s (``post_interval`` apart, per channel)."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

__all__ = ["CountingRateLimitHandler", "retry_handlers"]


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
