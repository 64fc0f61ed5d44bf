"""Limiter decisions per second: our GCRA script against the ``limits`` library on the same Redis, same run.

    .venv/bin/python -m bench.limiter_bench [--decisions 4000] [--concurrency 32] [--rounds 9]

Uses REDIS_URL when set, else starts a throwaway redis-server. Every limiter gets the same client library
(redis-py asyncio), the same bounded blocking pool, the same workload (100 subjects, a rate that denies about half
the requests) and the same concurrency; rounds alternate between limiters and the best round counts. Exactness:
500 concurrent hits on one fresh subject at 100/hour must admit exactly 100.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass

from limits import parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter, RateLimiter, SlidingWindowCounterRateLimiter
from redis.asyncio import BlockingConnectionPool, Redis

from core.state import Keys, Rate, RedisGuard
from core.state import RateLimiter as Gcra
from tests.redis_server import RedisServer

Hit = Callable[[str], Awaitable[bool]]
RATE = "100/hour"
EXACT_HITS = 500


def ours(pool: BlockingConnectionPool, prefix: str) -> Hit:
    limiter = Gcra(
        redis=Redis(connection_pool=pool), keys=Keys(prefix), guard=RedisGuard(), scope="b", rate=Rate.parse(RATE)
    )

    async def hit(subject: str) -> bool:
        return (await limiter.hit(subject)).allowed

    return hit


def theirs(cls: type[RateLimiter], url: str, pool: BlockingConnectionPool, prefix: str, *, reset: bool) -> Hit:
    """``limits``' async redis-py storage on the same pool. With ``reset``, a denial also asks for the window
    stats, which is what it takes to tell the user when to retry (our one call returns that already)."""
    storage = RedisStorage(
        url.replace("redis://", "async+redis://", 1), implementation="redispy", key_prefix=prefix, connection_pool=pool
    )
    limiter, item = cls(storage), parse(RATE)

    async def hit(subject: str) -> bool:
        if await limiter.hit(item, subject):
            return True
        if reset:
            await limiter.get_window_stats(item, subject)
        return False

    return hit


@dataclass(frozen=True, slots=True)
class Figures:
    """Decisions per wall-clock second, and per CPU second (this process plus redis-server). On a busy machine
    the CPU figure is the steadier of the two: other processes steal wall time, not CPU time."""

    wall: float
    cpu: float

    def best(self, other: Figures) -> Figures:
        return Figures(max(self.wall, other.wall), max(self.cpu, other.cpu))


async def server_cpu(client: Redis) -> float:
    info = await client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


async def throughput(hit: Hit, client: Redis, decisions: int, concurrency: int) -> Figures:
    run = uuid.uuid4().hex[:8]
    per_worker = decisions // concurrency
    subjects = max(1, decisions // 200)  # 200 hits per subject at 100/hour: half admitted, half denied

    async def worker(w: int) -> None:
        for i in range(per_worker):
            await hit(f"{run}:{(w * per_worker + i) % subjects}")

    server_start, start, cpu_start = await server_cpu(client), time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    cpu += await server_cpu(client) - server_start
    done = per_worker * concurrency
    return Figures(done / wall, done / cpu)


async def admitted(hit: Hit) -> int:
    subject = f"exact:{uuid.uuid4().hex}"
    return sum(await asyncio.gather(*(hit(subject) for _ in range(EXACT_HITS))))


def contenders(url: str, pool: BlockingConnectionPool, prefix: str) -> dict[str, Hit]:
    moving, counter = MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
    return {
        "ours: GCRA (1 Lua call, returns retry-after)": ours(pool, prefix),
        "limits: moving window": theirs(moving, url, pool, prefix, reset=False),
        "limits: sliding window counter": theirs(counter, url, pool, prefix, reset=False),
        "limits: moving window + reset time on denial": theirs(moving, url, pool, prefix, reset=True),
        "limits: sliding window counter + reset time": theirs(counter, url, pool, prefix, reset=True),
    }


async def bench(url: str, decisions: int, concurrency: int, rounds: int) -> None:
    pool = BlockingConnectionPool.from_url(url, max_connections=concurrency, timeout=10)
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    limiters = contenders(url, pool, prefix)
    client = Redis(connection_pool=pool)
    best = dict.fromkeys(limiters, Figures(0.0, 0.0))
    try:
        for hit in limiters.values():  # warm-up: scripts loaded, connections open
            await throughput(hit, client, concurrency * 20, concurrency)
        for _ in range(rounds):  # interleaved, so a noisy moment hurts every limiter alike
            for name, hit in limiters.items():
                best[name] = best[name].best(await throughput(hit, client, decisions, concurrency))
        exact = {name: await admitted(hit) for name, hit in limiters.items()}
    finally:
        async for key in client.scan_iter(match=f"{prefix}*", count=1000):
            await client.delete(key)
        await pool.disconnect()
    report(best, exact, decisions, concurrency, rounds)


def report(best: dict[str, Figures], exact: dict[str, int], decisions: int, concurrency: int, rounds: int) -> None:
    ours_name = next(iter(best))
    mine = best[ours_name]
    print(f"limiter decisions: {decisions} per round, {concurrency} concurrent, best of {rounds} interleaved rounds")
    print(f"rate {RATE}, 200 hits per subject (half denied)")
    print(f"exactness: {EXACT_HITS} concurrent hits on one fresh subject; each limiter should admit exactly 100")
    print(f"{'limiter':46} {'per s':>8} {'ours/it':>8} {'per CPU s':>10} {'ours/it':>8} {'admitted':>9}")
    for name, figures in best.items():
        verdict = "exact" if exact[name] == 100 else "NOT EXACT"
        print(
            f"{name:46} {figures.wall:8,.0f} {mine.wall / figures.wall:8.2f} {figures.cpu:10,.0f}"
            f" {mine.cpu / figures.cpu:8.2f} {exact[name]:5d} {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=4_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    with ExitStack() as stack:
        url = os.environ.get("REDIS_URL") or stack.enter_context(RedisServer()).url
        asyncio.run(bench(url, args.decisions, args.concurrency, args.rounds))


if __name__ == "__main__":
    main()
