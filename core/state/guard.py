"""Keeps the bot running while Redis is unreachable.

Every state primitive sends its Redis calls through one :class:`RedisGuard`. While Redis answers, the guard is
transparent. When a call fails with a connection or timeout error the guard logs ONE warning, marks Redis down and
makes the primitive fall back (cache skipped, limits open or closed by setting, records not written). While down it
does not touch Redis at all, except one probe call every ``probe_interval`` seconds; the first probe that succeeds
logs ONE info line and everything is back to normal.

A full connection pool is not an outage: when every connection is in use for the pool's whole wait (redis-py's
``BlockingConnectionPool`` timeout), the guard leaves Redis marked up. :meth:`RedisGuard.call` raises
:class:`StoreBusyError` (admission turns it into a "busy" refusal); :meth:`RedisGuard.run` returns its fallback.
Either logs at most one warning a minute.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.errors import ThinkbotError
from core.kinds import FailureKind

__all__ = [
    "BUSY_RETRY_AFTER",
    "OUTAGE_ERRORS",
    "RedisGuard",
    "StoreBusyError",
    "StoreUnavailableError",
    "describe",
    "pool_exhausted",
    "raise_if_cancelled",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, TimeoutError, OSError)
"""What counts as "Redis is unreachable" (redis-py's AuthenticationError and BusyLoadingError are among them)."""

_CREDENTIALS = re.compile(r"//[^@/\s]*@")

BUSY_RETRY_AFTER = 5.0
"""Seconds a "busy" refusal asks the user to wait."""

_BUSY_WARNING_INTERVAL = 60.0


class StoreUnavailableError(ThinkbotError):
    """Redis is down; the caller falls back. Never reaches a user."""

    kind = FailureKind.STORE_UNAVAILABLE


class StoreBusyError(StoreUnavailableError):
    """Every pooled connection stayed in use for the pool's whole wait. Redis itself is fine, so nothing is marked
    down; a caller that only falls back (``except StoreUnavailableError``) does so as for an outage, and admission
    refuses the request as busy, asking to come back after ``retry_after`` seconds."""

    kind = FailureKind.BUSY

    def __init__(self, message: str, *, retry_after: float = BUSY_RETRY_AFTER) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def pool_exhausted(exc: BaseException) -> bool:
    """Is ``exc`` a pool that had no free connection, rather than Redis failing?

    redis-py (8.1) gives no class of its own for it: ``BlockingConnectionPool.get_connection`` raises a plain
    ``ConnectionError("No connection available.")`` from the ``TimeoutError`` of its wait, while a connection that
    could not be opened or timed out is a ``TimeoutError`` or a ``ConnectionError`` from an ``OSError``. The
    non-blocking pool's ``MaxConnectionsError`` means the same. tests/core/state/test_full_pool.py pins this
    against the installed redis-py.
    """
    if isinstance(exc, MaxConnectionsError):
        return True
    return type(exc) is RedisConnectionError and isinstance(exc.__cause__, TimeoutError | asyncio.TimeoutError)


class RedisGuard:
    """Outage detector shared by all primitives of one store. ``fail_open`` says what limits do while down."""

    def __init__(
        self,
        *,
        fail_open: bool = True,
        probe_interval: float = 2.0,
        pool_size: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fail_open = fail_open
        self._probe_interval = probe_interval
        self._pool_size = pool_size
        self._clock = clock
        self._down_since: float | None = None
        self._next_probe = 0.0
        self._next_busy_warning = -math.inf

    @property
    def available(self) -> bool:
        return self._down_since is None

    async def call(self, op: Callable[[], Awaitable[T]]) -> T:
        """Run ``op``; raise :class:`StoreUnavailableError` instead of a connection error (or while down), and
        :class:`StoreBusyError` when no pooled connection came free in time."""
        probing = self._admit()
        if probing is None:
            raise StoreUnavailableError("Redis is unavailable")
        try:
            result = await op()
        except OUTAGE_ERRORS as exc:
            raise_if_cancelled(exc)
            if pool_exhausted(exc):
                self._warn_busy()
                raise StoreBusyError("Redis connection pool is full") from exc
            self._mark_down(exc)
            raise StoreUnavailableError("Redis is unavailable") from exc
        raise_if_cancelled(None)
        if probing:
            self._mark_up()
        return result

    async def run(self, op: Callable[[], Awaitable[T]], fallback: T, *, refuse_busy: bool = False) -> T:
        """Like :meth:`call`, returning ``fallback`` when Redis is unavailable or the pool is full (one coroutine
        less: hot path). With ``refuse_busy`` a full pool raises :class:`StoreBusyError` instead: admission's
        checks, where falling back would wave the request through (or turn it away as if Redis were down)."""
        probing = self._admit()
        if probing is None:
            return fallback
        try:
            result = await op()
        except OUTAGE_ERRORS as exc:
            raise_if_cancelled(exc)
            if not pool_exhausted(exc):
                self._mark_down(exc)
                return fallback
            self._warn_busy()
            if refuse_busy:
                raise StoreBusyError("Redis connection pool is full") from exc
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

    def _warn_busy(self) -> None:
        """At most one warning a minute while the pool stays full; Redis stays marked up."""
        now = self._clock()
        if now < self._next_busy_warning:
            return
        self._next_busy_warning = now + _BUSY_WARNING_INTERVAL
        size = "" if self._pool_size is None else f" ({self._pool_size} connections)"
        log.warning(
            "Redis connection pool is full%s; new requests are refused as busy and background writes skipped "
            "while it stays full (THINKBOT_REDIS_MAX_CONNECTIONS sets its size)",
            size,
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
