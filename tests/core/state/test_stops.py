"""The stop channel on its own, against a real redis-server: a process acts only on a well-formed stop for a chain it
runs, and keeps hearing stops while its shared connection pool is full. (Two whole services: test_stop_anywhere.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from core.state import RedisConfig, StopChannel, Store, connect

pytestmark = pytest.mark.timeout(30)

RUNNING = "00aa11bb22cc33dd"


class Chains:
    """What a service's ``cancel`` sees: the chains running here, and every id it was asked about."""

    def __init__(self, *running: str) -> None:
        self.running = set(running)
        self.asked: list[str] = []

    def cancel(self, chain_id: str) -> bool:
        self.asked.append(chain_id)
        if chain_id in self.running:
            self.running.discard(chain_id)
            return True
        return False


@asynccontextmanager
async def channel(store: Store, chains: Chains) -> AsyncIterator[StopChannel]:
    stops = StopChannel(redis=store.redis, keys=store.keys, guard=store.guard, ack_wait=0.5)
    stops.start(chains.cancel)
    try:
        await asyncio.wait_for(stops.until_listening(), 5)
        yield stops
    finally:
        await stops.aclose()


async def test_only_a_well_formed_stop_for_a_chain_running_here_is_acted_on(real_store: Store) -> None:
    here, there = Chains(RUNNING), Chains()
    async with channel(real_store, here), channel(real_store, there) as asking:
        name = real_store.keys.key("control", "stop")
        for junk in (b"not json", b"[1]", b'{"op": "stop", "chain": "ZZ", "ask": "0123456789abcdef"}', b"\xff"):
            await real_store.redis.publish(name, junk)
        unknown = await asking.request("99ff99ff99ff99ff")
        stopped = await asking.request(RUNNING)
        again = await asking.request(RUNNING)
    assert (unknown, stopped, again) == ("not_running", "stopped", "not_running")
    assert here.asked == ["99ff99ff99ff99ff", RUNNING, RUNNING]  # the junk never reached cancel
    assert there.asked == []  # the asking process does not ask itself: its caller already tried locally


async def test_a_full_shared_pool_does_not_deafen_the_channel(redis_url: str, real_store: Store) -> None:
    busy = connect(RedisConfig(url=redis_url, key_prefix=real_store.keys.prefix, max_connections=1, pool_timeout=0.2))
    held = await busy.redis.connection_pool.get_connection()  # every shared connection is taken
    here = Chains(RUNNING)
    try:
        async with channel(busy, here), channel(real_store, Chains()) as asking:
            result = await asking.request(RUNNING)
    finally:
        await busy.redis.connection_pool.release(held)
        await busy.close()
    assert result == "stopped"
    assert here.asked == [RUNNING]


async def test_closing_while_it_still_subscribes_never_hangs(real_store: Store) -> None:
    """A process that exits at once (a refused ``thinkbot ask``) closes the channel while its listener connects;
    redis-py can swallow that cancellation, and the listener then read on forever (seen: 8 hangs in 300)."""
    for attempt in range(150):
        stops = StopChannel(redis=real_store.redis, keys=real_store.keys, guard=real_store.guard)
        stops.start(lambda _chain_id: False)
        await asyncio.sleep((attempt % 6) / 1000)
        await asyncio.wait_for(stops.aclose(), 3)
