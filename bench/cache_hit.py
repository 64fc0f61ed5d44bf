"""Latency of a cache hit, from ``service.think()`` to the final event, on a local Redis.

A 6-step answer is cached once; then every ask replays it (rate limits, budget, cache read, record write,
relabelling). Baseline in the same run: a bare redis-py GET of the same cached entry plus JSON decoding, the least
any replay must do. Target: service p99 <= 5 ms.

    python -m bench.cache_hit [--asks 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from bench.fake_groq_process import chain_responder
from core.events import FinalAnswer
from core.request import ThinkRequest
from tests.fakes.groq_server import FakeGroq
from tests.redis_server import redis_url_or_server as redis_target
from tests.service_kit import running_service

QUESTION = "How many Rs are in strawberry?"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(asks: int) -> None:
    with redis_target() as url, FakeGroq(responder=chain_responder(6, 0.0)) as fake:
        limits = {"user_rate": "1000000/1s", "place_rate": "1000000/1s"}
        async with running_service(groq=fake, redis_url=url, **limits) as services:
            service, redis, keys = services.service, services.store.redis, services.store.keys
            async for _ in service.think(ThinkRequest(question=QUESTION)):
                pass
            cache_keys = [k async for k in redis.scan_iter(match=keys.key("cache", "*"))]
            assert len(cache_keys) == 1, cache_keys
            hits, bare = [], []
            for _ in range(asks):
                start = time.perf_counter()
                async for event in service.think(ThinkRequest(question=QUESTION)):
                    last = event
                hits.append(time.perf_counter() - start)
                assert isinstance(last, FinalAnswer)
                assert last.cached
                start = time.perf_counter()
                json.loads(await redis.get(cache_keys[0]))
                bare.append(time.perf_counter() - start)
    calls = len(fake.chat_requests)
    print(f"asks                     {asks} cache hits (LLM calls in total: {calls}, all from the first ask)")
    print(
        f"service  p50 / p99      {percentile(hits, 0.5) * 1000:6.3f} ms / {percentile(hits, 0.99) * 1000:6.3f} ms"
        "  (target p99 <= 5 ms)"
    )
    print(f"bare GET p50 / p99      {percentile(bare, 0.5) * 1000:6.3f} ms / {percentile(bare, 0.99) * 1000:6.3f} ms")
    print(f"ratio service/bare       {statistics.median(hits) / statistics.median(bare):.2f} (p50)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=2000)
    asyncio.run(run(parser.parse_args().asks))


if __name__ == "__main__":
    main()
