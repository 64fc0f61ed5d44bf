"""Following many flights at once costs one Redis connection: a process (a gateway) follows forty chains led
elsewhere through a pool of four connections, and every follower sees its chain to the end."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from core.events import Event, FinalAnswer, Step
from core.state import RedisConfig, SingleFlight, Store, connect
from tests.core.state.chains import fake_chain
from tests.service_kit import remove_keys

FLIGHTS = 40


@pytest.fixture
async def stores(redis_url: str) -> AsyncIterator[tuple[Store, Store]]:
    prefix = f"test{uuid.uuid4().hex[:12]}"
    roomy = connect(RedisConfig(url=redis_url, key_prefix=prefix))
    tight = connect(RedisConfig(url=redis_url, key_prefix=prefix, max_connections=4, pool_timeout=0.3))
    yield roomy, tight
    await remove_keys(roomy)
    await tight.close()
    await roomy.close()


def _flights(store: Store) -> SingleFlight:
    return SingleFlight(redis=store.redis, keys=store.keys, guard=store.guard, lease_ttl=2.0, block=0.2)


async def test_forty_follows_through_four_connections(stores: tuple[Store, Store]) -> None:
    roomy, tight = stores
    leader, follower = _flights(roomy), _flights(tight)
    gates = [asyncio.Event() for _ in range(FLIGHTS)]

    def chain(n: int) -> Callable[[], Any]:
        return lambda: fake_chain(f"c{n}", steps=3, delay=0.05, gate=gates[n], gate_before=2)

    async def collect(flights: SingleFlight, n: int, produce: Callable[[], Any]) -> list[Event]:
        return [event async for event in flights.run(f"q{n}", produce)]

    leading = [asyncio.create_task(collect(leader, n, chain(n))) for n in range(FLIGHTS)]
    await asyncio.sleep(0.2)  # every chain has started and waits at its gate
    never = lambda: fake_chain("never")  # noqa: E731 - the follower must not run any chain itself
    following = [asyncio.create_task(collect(follower, n, never)) for n in range(FLIGHTS)]
    await asyncio.sleep(1.0)  # the followers are all waiting on their streams
    for gate in gates:
        gate.set()
    led = await asyncio.wait_for(asyncio.gather(*leading), 20)
    followed = await asyncio.wait_for(asyncio.gather(*following), 20)
    await leader.aclose()
    await follower.aclose()
    for n in range(FLIGHTS):
        assert followed[n] == led[n], f"flight {n}: {followed[n][-1]}"
        assert isinstance(followed[n][-1], FinalAnswer)
        assert [e.index for e in followed[n] if isinstance(e, Step)] == [1, 2, 3]
    assert tight.guard.available
