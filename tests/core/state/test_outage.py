"""Redis stopped and restarted under traffic: no exception escapes, limits fail open (or closed), one log line
per outage and one on recovery, and service is back within seconds. Uses a redis-server of its own."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from core.events import ChainFailed, FinalAnswer
from core.state import (
    ChainRecord,
    ChainRecords,
    Deduper,
    MessageIndex,
    Rate,
    RateLimiter,
    RedisConfig,
    ResultCache,
    SingleFlight,
    Store,
    TokenBudget,
    connect,
)
from tests.core.state.chains import fake_chain
from tests.redis_server import RedisServer


@pytest.fixture
def server() -> Iterator[RedisServer]:
    with RedisServer() as owned:
        yield owned


def _open(server: RedisServer, *, fail_open: bool) -> Store:
    config = RedisConfig(
        url=server.url,
        key_prefix=f"outage{uuid.uuid4().hex[:8]}",
        fail_open=fail_open,
        probe_interval=0.2,
        socket_connect_timeout=0.5,
        socket_timeout=1.0,
        retries=1,
    )
    return connect(config)


@pytest.fixture
async def store(server: RedisServer) -> AsyncIterator[Store]:
    opened = _open(server, fail_open=True)
    yield opened
    await opened.close()


class Traffic:
    """Every primitive used in a loop, as a busy bot would; records decisions and any exception."""

    def __init__(self, store: Store) -> None:
        parts: dict[str, Any] = {"redis": store.redis, "keys": store.keys, "guard": store.guard}
        self.limiter = RateLimiter(**parts, scope="user", rate=Rate.parse("100000/1h"))
        self.budget = TokenBudget(**parts, daily_tokens=10**9)
        self.cache = ResultCache(**parts)
        self.records = ChainRecords(**parts)
        self.messages = MessageIndex(**parts)
        self.dedupe = Deduper(**parts)
        self.errors: list[BaseException] = []
        self.degraded: list[bool] = []

    async def once(self, n: int) -> None:
        decision = await self.limiter.hit("u")
        self.degraded.append(decision.degraded)
        assert decision.allowed
        assert (await self.budget.check("p")).allowed
        await self.budget.add("p", 10)
        await self.cache.get("k")
        await self.records.save(
            ChainRecord(chain_id=f"c{n}", question="q", asker="u", place="p", strategy="g1", model="m")
        )
        await self.messages.link(f"m{n}", chain_id=f"c{n}", steps=[1], location="t")
        await self.messages.chain_messages(f"c{n}")
        lease = await self.dedupe.claim(f"ev{n}")
        assert lease is not None
        await self.dedupe.done(lease)

    async def run(self, stop: asyncio.Event) -> None:
        n = 0
        while not stop.is_set():
            try:
                await self.once(n)
            except Exception as exc:
                self.errors.append(exc)
            n += 1
            await asyncio.sleep(0.01)


async def _until(predicate: Any, limit: float) -> float:
    start = time.monotonic()
    while not await predicate():
        assert time.monotonic() - start < limit, f"not within {limit} s"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def test_outage_and_recovery_under_traffic(
    server: RedisServer, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="core.state.guard")
    traffic, stop = Traffic(store), asyncio.Event()
    runner = asyncio.create_task(traffic.run(stop))
    await asyncio.sleep(0.2)
    server.stop()
    await asyncio.sleep(0.8)
    assert traffic.degraded[-1]
    server.start()
    recovered_in = await _until(lambda: _serving(traffic), limit=5.0)
    await asyncio.sleep(0.2)
    stop.set()
    await runner
    assert traffic.errors == []
    assert recovered_in < 3.0
    assert not traffic.degraded[-1]
    outages = [r for r in caplog.records if "unreachable" in r.getMessage()]
    recoveries = [r for r in caplog.records if "reachable again" in r.getMessage()]
    assert len(outages) == 1
    assert outages[0].levelno == logging.WARNING
    assert len(recoveries) == 1


async def _serving(traffic: Traffic) -> bool:
    return not (await traffic.limiter.hit("probe")).degraded


async def test_during_an_outage_redis_is_probed_not_hammered(server: RedisServer, store: Store) -> None:
    limiter = RateLimiter(redis=store.redis, keys=store.keys, guard=store.guard, scope="u", rate=Rate.parse("1/s"))
    server.stop()
    await limiter.hit("u")  # notices the outage
    start = time.monotonic()
    decisions = [await limiter.hit("u") for _ in range(200)]
    assert time.monotonic() - start < 0.5
    assert all(d.allowed and d.degraded for d in decisions)


async def test_limits_fail_closed_by_setting(server: RedisServer) -> None:
    closed = _open(server, fail_open=False)
    parts: dict[str, Any] = {"redis": closed.redis, "keys": closed.keys, "guard": closed.guard}
    limiter = RateLimiter(**parts, scope="u", rate=Rate.parse("100/s"))
    budget = TokenBudget(**parts, daily_tokens=100)
    assert (await limiter.hit("u")).allowed
    server.stop()
    denied = await limiter.hit("u")
    assert (denied.allowed, denied.degraded, denied.retry_after) == (False, True, 10.0)
    assert not (await budget.check("p")).allowed
    server.start()
    await _until(lambda: _allowed(limiter), limit=5.0)
    await closed.close()


async def _allowed(limiter: RateLimiter) -> bool:
    return (await limiter.hit("u")).allowed


async def test_chains_end_with_an_answer_or_a_clear_error_when_redis_dies_mid_flight(
    server: RedisServer, store: Store
) -> None:
    parts: dict[str, Any] = {"redis": store.redis, "keys": store.keys, "guard": store.guard}
    leader = SingleFlight(**parts, lease_ttl=1.0, block=0.1)
    follower = SingleFlight(**parts, lease_ttl=1.0, block=0.1)
    gate = asyncio.Event()
    led = asyncio.create_task(_events(leader, lambda: fake_chain("c", gate=gate, gate_before=2)))
    await asyncio.sleep(0.1)
    followed = asyncio.create_task(_events(follower, lambda: fake_chain("never")))
    # The leader, idle at the gate, sees the watcher when it renews its lease (a third of it) and publishes.
    await asyncio.sleep(0.6)
    server.stop()
    gate.set()
    lead_events, follow_events = await asyncio.wait_for(asyncio.gather(led, followed), 5)
    assert isinstance(lead_events[-1], FinalAnswer)
    assert isinstance(follow_events[-1], ChainFailed)
    assert follow_events[-1].kind == "flight_lost"
    alone = await asyncio.wait_for(_events(follower, lambda: fake_chain("alone")), 5)
    assert isinstance(alone[-1], FinalAnswer)  # with Redis down, a new question simply runs here
    assert alone[-1].chain_id == "alone"


async def _events(flights: SingleFlight, produce: Any) -> list[Any]:
    return [event async for event in flights.run("q", produce)]
