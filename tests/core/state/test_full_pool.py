"""A full Redis connection pool is back-pressure, never an outage (real redis-server, a pool of two).

Every connection in use for the pool's whole wait: the guard stays up and logs no outage, admission refuses the
request as ``busy`` after waiting, background writes return their fallback, and once a connection is free again
everything passes. The first test pins how the installed redis-py reports a full pool, so an upgrade that changes
it fails here rather than turning a busy pool back into an outage.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from core.admission import Admission
from core.events import ChainFailed, ChainStarted, FinalAnswer
from core.kinds import FailureKind
from core.llm.types import Usage
from core.state import (
    ChainRecord,
    ChainRecords,
    Deduper,
    RateLimiter,
    RedisConfig,
    ResultCache,
    Store,
    TokenBudget,
    connect,
)
from core.state.flights import FlightStore
from core.state.guard import BUSY_RETRY_AFTER, StoreBusyError, pool_exhausted
from core.state.intake import Intake
from core.state.rates import Rate
from tests.redis_server import free_port
from tests.service_kit import remove_keys

POOL_TIMEOUT = 0.3


@pytest.fixture
async def tight(redis_url: str) -> AsyncIterator[Store]:
    """A store whose pool holds two connections and waits ``POOL_TIMEOUT`` seconds for a free one."""
    store = connect(
        RedisConfig(
            url=redis_url, key_prefix=f"test{uuid.uuid4().hex[:12]}", max_connections=2, pool_timeout=POOL_TIMEOUT
        )
    )
    yield store
    await remove_keys(store)
    await store.close()


@asynccontextmanager
async def pool_held(store: Store) -> AsyncIterator[None]:
    """Every connection of ``store``'s pool taken (as by that many commands in flight) until the block ends."""
    pool = store.redis.connection_pool
    held = [await pool.get_connection() for _ in range(pool.max_connections)]
    try:
        yield
    finally:
        for connection in held:
            await pool.release(connection)


def _outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]


def _busy_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "connection pool is full" in r.getMessage()]


async def test_installed_redis_py_reports_a_full_pool_as_the_guard_expects(tight: Store) -> None:
    async with pool_held(tight):
        with pytest.raises(RedisConnectionError) as full:
            await tight.redis.get(tight.keys.key("x"))
    assert pool_exhausted(full.value), f"redis-py reports a full pool differently now: {full.value!r}"
    # A server that is not there fails in the same pool call (it connects there), but is an outage, not a full pool.
    nowhere = connect(RedisConfig(url=f"redis://127.0.0.1:{free_port()}/0", retries=0, pool_timeout=POOL_TIMEOUT))
    with pytest.raises(RedisConnectionError) as refused:
        await nowhere.redis.get("x")
    await nowhere.close()
    assert not pool_exhausted(refused.value)


async def test_commands_in_flight_fill_the_pool_and_the_guard_stays_up(
    tight: Store, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="core.state")
    key = tight.keys.key("waiting")
    side = Redis.from_url(redis_url)
    before = (await side.info("clients"))["blocked_clients"]
    waiting = [asyncio.create_task(tight.redis.blpop([key], timeout=0)) for _ in range(2)]
    async with asyncio.timeout(5):
        while (await side.info("clients"))["blocked_clients"] < before + 2:  # noqa: ASYNC110 - the server's count
            await asyncio.sleep(0.01)

    started = time.monotonic()
    with pytest.raises(StoreBusyError) as busy:
        await tight.guard.call(lambda: tight.redis.get(tight.keys.key("x")))
    assert time.monotonic() - started >= POOL_TIMEOUT * 0.9  # it waited for a connection first
    assert busy.value.kind is FailureKind.BUSY
    assert busy.value.retry_after == BUSY_RETRY_AFTER
    assert tight.guard.available

    await side.rpush(key, "a", "b")  # both commands end and give their connections back
    await asyncio.gather(*waiting)
    await side.aclose()
    assert await tight.guard.call(lambda: tight.redis.set(tight.keys.key("x"), "1"))
    assert _outage_lines(caplog) == []
    assert _busy_lines(caplog) == [
        "Redis connection pool is full (2 connections); new requests are refused as busy and background writes "
        "skipped while it stays full (THINKBOT_REDIS_MAX_CONNECTIONS sets its size)"
    ]


async def test_admission_refuses_as_busy_then_passes_once_connections_free_up(
    tight: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="core.state")
    parts = {"redis": tight.redis, "keys": tight.keys, "guard": tight.guard}
    limiter = RateLimiter(**parts, scope="user", rate=Rate.parse("100/1m"))
    budget = TokenBudget(**parts, daily_tokens=1000)
    place = RateLimiter(**parts, scope="place", rate=Rate.parse("100/1m"))
    intake = Intake(
        redis=tight.redis,
        keys=tight.keys,
        guard=tight.guard,
        per_user=limiter,
        per_place=place,
        budget=budget,
        dedupe=Deduper(**parts),
        cache=ResultCache(**parts),
        flights=FlightStore(redis=tight.redis, keys=tight.keys, lease_ttl=15, stream_ttl=60, block=0.1),
        records=ChainRecords(**parts),
    )
    admission = Admission(intake=intake, budget=budget)

    async def check(chain_id: str) -> ChainFailed | None:
        record = ChainRecord(chain_id=chain_id, question="q", asker="u1", place="p1", strategy="g1", model="m")
        verdict = await admission.admit(record=record, delivery_key="d:" + chain_id, cache_key="k", flight="k")
        return verdict.refusal

    async with pool_held(tight):
        with pytest.raises(StoreBusyError):
            await limiter.hit("u1")
        with pytest.raises(StoreBusyError):
            await budget.check("p1")
        started = time.monotonic()
        refusal = await check("c1")
        waited = time.monotonic() - started
    assert waited >= POOL_TIMEOUT * 0.9
    assert isinstance(refusal, ChainFailed)
    assert refusal.kind is FailureKind.BUSY
    assert refusal.message == "I'm handling a lot of questions right now. Please try again in 5 s."
    assert refusal.retry_after == BUSY_RETRY_AFTER
    assert tight.guard.available
    assert _outage_lines(caplog) == []

    assert await check("c2") is None
    assert (await limiter.hit("u1")).allowed
    assert not (await budget.check("p1")).degraded


async def test_background_writes_fall_back_without_marking_redis_down(
    tight: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="core.state")
    parts = {"redis": tight.redis, "keys": tight.keys, "guard": tight.guard}
    budget = TokenBudget(**parts, daily_tokens=1000)
    cache = ResultCache(**parts)
    events = [
        ChainStarted(chain_id="c", question="q", strategy="g1", model="m"),
        FinalAnswer(chain_id="c", text="a", total_time=1.0, usage=Usage(), steps=1),
    ]
    key = tight.keys.key("plain")
    async with pool_held(tight):
        assert await tight.guard.run(lambda: tight.redis.set(key, "1"), "fallback") == "fallback"
        assert await budget.add("p1", 10) is None
        assert await cache.put("k", events) is False
    assert tight.guard.available
    assert _outage_lines(caplog) == []
    assert len(_busy_lines(caplog)) == 1  # at most one a minute, however many calls met the full pool

    # Not down: the very next write goes to Redis (an outage would skip it until a probe).
    assert await budget.add("p1", 10) == 10
    assert await cache.put("k", events)
    assert await cache.get("k") is not None
