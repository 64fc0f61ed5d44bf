"""Daily token budget per place (guild or workspace), reset at UTC midnight.

Check before a chain starts (refused once the day's usage is at or over the budget), add the usage the provider
reported after it ends. A chain that starts just under the budget may finish over it; the next one is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from redis.asyncio import Redis

from core.state.batch import Batch
from core.state.guard import RedisGuard, StoreBusyError, StoreUnavailableError
from core.state.keys import Keys

__all__ = ["BudgetStatus", "TokenBudget", "next_utc_midnight"]

_GRACE = timedelta(hours=1)
"""A day's counter outlives its day by this much, so processes with slightly skewed clocks still agree."""


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    allowed: bool
    used: int
    limit: int
    resets_at: datetime
    degraded: bool = False

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


def next_utc_midnight(now: datetime) -> datetime:
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=UTC)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TokenBudget:
    """``daily_tokens`` per place per UTC day. ``clock`` returns an aware datetime (tests move it)."""

    def __init__(
        self,
        *,
        redis: Redis,
        keys: Keys,
        guard: RedisGuard,
        daily_tokens: int,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        if daily_tokens < 1:
            raise ValueError("daily_tokens must be at least 1")
        self.daily_tokens = daily_tokens
        self._redis = redis
        self._keys = keys
        self._guard = guard
        self._clock = clock

    def _key(self, place: str, now: datetime) -> str:
        return self._keys.key("budget", place, now.astimezone(UTC).date().isoformat())

    def today(self, place: str) -> tuple[str, datetime]:
        """Today's counter key for ``place`` and when it resets (the next UTC midnight)."""
        now = self._clock()
        return self._key(place, now), next_utc_midnight(now)

    def status(self, used: int, resets_at: datetime, *, limit: int | None = None) -> BudgetStatus:
        """``used`` tokens against ``limit`` (a place's own; the deployment's by default)."""
        limit = limit or self.daily_tokens
        return BudgetStatus(used < limit, used, limit, resets_at)

    async def check(self, place: str) -> BudgetStatus:
        """May a chain start in ``place`` now? ``resets_at`` is the next UTC midnight either way. A full Redis
        connection pool raises :class:`~core.state.guard.StoreBusyError` (admission refuses as busy)."""
        key, resets_at = self.today(place)
        try:
            raw = await self._guard.call(lambda: self._redis.get(key))
        except StoreBusyError:
            raise  # a full pool is no outage: admission refuses the request as busy
        except StoreUnavailableError:
            return BudgetStatus(self._guard.fail_open, 0, self.daily_tokens, resets_at, degraded=True)
        return self.status(int(raw or 0), resets_at)

    async def add(self, place: str, tokens: int) -> int | None:
        """Add ``tokens`` to today's usage; the new total, or ``None`` while Redis is down."""
        batch = Batch(self._redis)
        self.add_into(batch, place, tokens)
        replies = await self._guard.run(batch.send, None)
        return None if replies is None else int(replies[0])

    def add_into(self, batch: Batch, place: str, tokens: int) -> None:
        """:meth:`add` as part of ``batch``: INCRBY, then the counter's expiry."""
        now = self._clock()
        key = self._key(place, now)
        # Relative expiry: immune to a skew between this process's clock and the server's.
        ttl = next_utc_midnight(now) + _GRACE - now
        batch.command("INCRBY", key, max(0, tokens))
        batch.command("EXPIRE", key, int(ttl.total_seconds()))
