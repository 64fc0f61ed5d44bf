"""Daily token budget: refusal at the limit, atomic adds, reset at UTC midnight, key expiry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from core.state import Store, TokenBudget, next_utc_midnight


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_next_utc_midnight_from_any_zone() -> None:
    eastern = timezone(timedelta(hours=-5))
    assert next_utc_midnight(datetime(2026, 3, 1, 20, 30, tzinfo=eastern)) == datetime(2026, 3, 3, tzinfo=UTC)
    assert next_utc_midnight(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)
    assert next_utc_midnight(datetime(2026, 3, 1, 0, 0, tzinfo=UTC)) == datetime(2026, 3, 2, tzinfo=UTC)


async def test_refused_once_used_reaches_the_budget(parts: dict[str, Any]) -> None:
    clock = Clock(datetime(2026, 5, 4, 15, 0, tzinfo=UTC))
    budget = TokenBudget(**parts, daily_tokens=1000, clock=clock)
    status = await budget.check("discord:guild1")
    assert (status.allowed, status.used, status.remaining) == (True, 0, 1000)
    assert await budget.add("discord:guild1", 999) == 999
    assert (await budget.check("discord:guild1")).allowed
    assert await budget.add("discord:guild1", 1) == 1000
    refused = await budget.check("discord:guild1")
    assert not refused.allowed
    assert refused.resets_at == datetime(2026, 5, 5, tzinfo=UTC)
    assert (await budget.check("slack:T1")).allowed  # other places have their own budget
    assert not refused.degraded


async def test_a_chain_may_end_over_budget_and_the_next_is_refused(parts: dict[str, Any]) -> None:
    budget = TokenBudget(**parts, daily_tokens=100)
    assert (await budget.check("p")).allowed
    assert await budget.add("p", 250) == 250
    status = await budget.check("p")
    assert not status.allowed
    assert status.remaining == 0


async def test_concurrent_adds_are_atomic(parts: dict[str, Any]) -> None:
    budget = TokenBudget(**parts, daily_tokens=10**9)
    await asyncio.gather(*(budget.add("p", 7) for _ in range(100)))
    assert (await budget.check("p")).used == 700


async def test_budget_resets_at_utc_midnight(parts: dict[str, Any]) -> None:
    clock = Clock(datetime(2026, 5, 4, 23, 59, 30, tzinfo=UTC))
    budget = TokenBudget(**parts, daily_tokens=50, clock=clock)
    await budget.add("p", 80)
    assert not (await budget.check("p")).allowed
    clock.now += timedelta(seconds=31)
    status = await budget.check("p")
    assert status.allowed
    assert status.used == 0
    assert status.resets_at == datetime(2026, 5, 6, tzinfo=UTC)


async def test_counter_expires_after_its_day(store: Store, parts: dict[str, Any]) -> None:
    budget = TokenBudget(**parts, daily_tokens=50)
    await budget.add("p", 5)
    key = store.keys.key("budget", "p", datetime.now(UTC).date().isoformat())
    ttl = await store.redis.ttl(key)
    until_midnight = (next_utc_midnight(datetime.now(UTC)) - datetime.now(UTC)).total_seconds()
    assert until_midnight < ttl <= until_midnight + 3600 + 1


def test_budget_must_be_positive(parts: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        TokenBudget(**parts, daily_tokens=0)
