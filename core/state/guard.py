"""Keeps the bot running while Redis is unreachable.

Every state primitive sends its Redis calls through one :class:`RedisGuard`. While Redis answers, the guard is
transparent. When a call fails with a connection or timeout error the guard logs ONE warning, marks Redis down and
makes the primitive fall back (cache skipped, limits open or closed by setting, records not written). While down it
does not touch Redis at all, except one probe call every ``probe_interval`` seconds; the first probe that succeeds
logs ONE info line and everything is back to normal.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import ThinkbotError
from core.kinds import FailureKind

__all__ = ["OUTAGE_ERRORS", "RedisGuard", "StoreUnavailableError", "describe", "raise_if_cancelled"]

log = logging.getLogger(__name__)

T = TypeVar("T")

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, TimeoutError, OSError)
"""What counts as "Redis is unreachable" (redis-py's AuthenticationError and BusyLoadingError are among them)."""

_CREDENTIALS = re.compile(r"//[^@/\s]*@")


class StoreUnavailableError(ThinkbotError):
    """Redis is down; the caller falls back. Never reaches a user."""

    kind = FailureKind.STORE_UNAVAILABLE


class RedisGuard:
    """Outage detector shared by all primitives of one store. ``fail_open`` says what limits do while down."""

    def __init__(
        self,
        *,
        fail_open: bool = True,
        probe_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fail_open = fail_open
        self._probe_interval = probe_interval
        self._clock = clock
        self._down_since: float | None = None
        self._next_probe = 0.0

    @property
    def available(self) -> bool:
        return self._down_since is None

    async def call(self, op: Callable[[], Awaitable[T]]) -> T:
        """Run ``op``; raise :class:`StoreUnavailableError` instead of a connection error (or while down)."""
        probing = self._admit()
        if probing is None:
            raise StoreUnavailableError("Redis is unavailable")
        try:
            result = await op()
        except OUTAGE_ERRORS as exc:
            raise_if_cancelled(exc)
            self._mark_down(exc)
            raise StoreUnavailableError("Redis is unavailable") from exc
        raise_if_cancelled(None)
        if probing:
            self._mark_up()
        return result

    async def run(self, op: Callable[[], Awaitable[T]], fallback: T) -> T:
        """Like :meth:`call`, returning ``fallback`` when Redis is unavailable (one coroutine less: hot path)."""
        probing = self._admit()
        if probing is None:
            return fallback
        try:
            result = await op()
        except OUTAGE_ERRORS as exc:
            raise_if_cancelled(exc)
            self._mark_down(exc)
            return fallback
        raise_if_cancelled(None)
        if probing:
            self._mark_up()
        return result

    def _admit(self) -> bool | None:
        """``False``: go ahead; ``True``: go ahead as the outage probe; ``None``: skip, Redis is down.

        Only a probe ends an outage: a call begun before the outage started proves nothing by succeeding.
        """
        if self._down_since is None:
            return False
        now = self._clock()
        if now < self._next_probe:
            return None
        self._next_probe = now + self._probe_interval
        return True

    def _mark_down(self, exc: BaseException) -> None:
        if self._down_since is not None:
            return
        now = self._clock()
        self._down_since = now
        self._next_probe = now + self._probe_interval
        effect = "limits let requests through" if self.fail_open else "limits refuse requests"
        log.warning(
            "Redis unreachable (%s); skipping the cache and records, %s until it returns", describe(exc), effect
        )

    def _mark_up(self) -> None:
        if self._down_since is None:
            return
        outage = self._clock() - self._down_since
        self._down_since = None
        log.info("Redis reachable again after a %.1f s outage", outage)


def describe(exc: BaseException) -> str:
    """An outage error for the log: its type and message, any credentials in a URL masked."""
    return _CREDENTIALS.sub("//***@", f"{type(exc).__name__}: {exc}")


def raise_if_cancelled(cause: BaseException | None) -> None:
    """Re-raise a cancellation that redis-py swallowed.

    redis-py's asyncio client (8.1 here) can lose a ``CancelledError`` that arrives while it reads a reply: the
    command then ends normally or with a ConnectionError, and the cancelled task runs on. The task still counts
    the request (``cancelling()``), so honour it here, and do not mistake the dropped connection for an outage.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError from cause
