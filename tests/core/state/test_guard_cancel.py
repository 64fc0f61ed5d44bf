"""A cancelled task stays cancelled even when redis-py loses the CancelledError mid-reply."""

import asyncio

from core.state import RedisGuard


async def test_cancelling_a_redis_loop_always_stops_it(real_store):
    redis, guard = real_store.redis, real_store.guard
    key = real_store.keys.key("cancel-probe")

    async def busy() -> None:
        while True:
            await guard.run(lambda: redis.set(key, "v"), None)

    # Cancel at many different moments: some land while redis-py is reading a reply, where it used to be lost.
    for trial in range(60):
        task = asyncio.create_task(busy())
        await asyncio.sleep(0.0005 * (trial % 7))
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=2)
        assert done, f"trial {trial}: the task ignored its cancellation"
        assert task.cancelled()
    assert guard.available  # a cancelled read is not an outage


async def test_a_call_after_a_normal_cancel_is_unaffected(real_store):
    guard: RedisGuard = real_store.guard
    assert await guard.run(lambda: real_store.redis.ping(), None)
