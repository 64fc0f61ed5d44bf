"""Redis round trips and bytes per chain, counted at the socket (connection set-up left out).

Through the service as production wires it (delivery key, limits, a daily budget, cache, single-flight, records)
against a real redis-server and a fake Groq answering each call after ``--delay`` seconds, so every step is
written on its own:
- a fresh 4-step g1 chain, a cache hit of it, and a follower: the same question asked at a second service (another
  process as far as Redis knows) while the first runs, with the leader's extra trips for publishing to it;
- bytes sent for a fresh chain of 5, 25 and 50 steps, against what the chain leaves stored (its record and cache
  entry): the baseline any writer must send at least once. A ratio that stays flat as the steps grow is linear.

    python -m bench.redis_traffic [--delay 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import uuid

from core.events import Event, FinalAnswer
from core.request import ThinkRequest
from core.service import ThinkService
from core.state import Store
from tests.core.test_service_state import chain_responder
from tests.fakes.groq_server import FakeGroq
from tests.redis_server import redis_url_or_server
from tests.redis_traffic import Traffic, count_traffic
from tests.service_kit import running_service

QUESTION = "How many Rs are in strawberry?"


async def _ask(service: ThinkService, question: str) -> list[Event]:
    request = ThinkRequest(question=question, user="u1", place="p1", delivery_key=uuid.uuid4().hex)
    events = [event async for event in service.think(request)]
    assert isinstance(events[-1], FinalAnswer), events[-1]
    return events


async def _measured(traffic: Traffic, service: ThinkService, question: str) -> tuple[int, int]:
    traffic.reset()
    await _ask(service, question)
    return traffic.trips, traffic.sent


async def round_trips(groq: FakeGroq, url: str, delay: float) -> None:
    groq.respond_with(chain_responder(steps=4, delay=delay))
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    settings = {"redis_url": url, "redis_key_prefix": prefix, "daily_token_budget": 1_000_000}
    async with running_service(groq=groq, **settings) as one, running_service(groq=groq, **settings) as two:
        first, second = count_traffic(one.store.redis), count_traffic(two.store.redis)
        await _ask(one.service, "warm-up: loads the scripts")
        await _ask(two.service, "warm-up: loads the scripts, again")
        fresh, _ = await _measured(first, one.service, QUESTION)
        hit, _ = await _measured(first, one.service, QUESTION)
        first.reset()
        second.reset()
        leading = asyncio.create_task(_ask(one.service, QUESTION + " (followed)"))
        await asyncio.sleep(delay * 1.5)  # the leader is thinking step 2
        await _ask(two.service, QUESTION + " (followed)")
        await leading
        print("Round trips per chain (4 steps, each its own write):")
        print(f"  fresh chain        {fresh:3d}   (target <= 6)")
        print(f"  cache hit          {hit:3d}   (target <= 2)")
        print(
            f"  follower elsewhere {second.trips:3d}   (its leader: {first.trips}, {first.trips - fresh:+d} to publish)"
        )


async def _stored(store: Store, chain_id: str) -> int:
    """Bytes the chain's record (head and steps) and all cache entries hold."""
    redis, keys = store.redis, store.keys
    head = keys.key("chain", chain_id)
    total = len(await redis.get(head) or b"")
    total += sum(len(item) for item in await redis.lrange(f"{head}:steps", 0, -1))
    async for key in redis.scan_iter(match=keys.key("cache", "*")):
        total += len(await redis.get(key) or b"")
    return total


async def bytes_sent(groq: FakeGroq, url: str, delay: float) -> None:
    print("Bytes sent to Redis for one fresh chain, against what it leaves stored (record + cache entry):")
    print(f"  {'steps':>5}  {'sent':>9}  {'stored':>9}  ratio")
    for steps in (5, 25, 50):
        groq.respond_with(chain_responder(steps=steps, delay=delay))
        async with running_service(groq=groq, redis_url=url, step_cap=60) as services:
            traffic = count_traffic(services.store.redis)
            await _ask(services.service, "warm-up: loads the scripts")
            traffic.reset()
            before = await _stored(services.store, "-")  # the warm-up's cache entry
            events = await _ask(services.service, f"A chain of {steps} steps")
            sent = traffic.sent
            stored = await _stored(services.store, events[0].chain_id) - before
            print(f"  {steps:5d}  {sent:9,d}  {stored:9,d}  {sent / stored:.2f}x")


async def memory(groq: FakeGroq, url: str, chains: int = 200, steps: int = 5) -> None:
    """Redis memory a chain leaves, by what keeps it (MEMORY USAGE of its keys), for sizing."""
    groq.respond_with(chain_responder(steps=steps, delay=0.0))
    async with running_service(groq=groq, redis_url=url, max_concurrent_chains=chains) as services:
        redis, keys = services.store.redis, services.store.keys
        await asyncio.gather(*(_ask(services.service, f"Question number {n}?") for n in range(chains)))
        usage: dict[str, int] = {"chain": 0, "cache": 0, "other": 0}
        async for key in redis.scan_iter(match=keys.pattern(), count=1000):
            kind = key.decode().split(":")[1]
            usage[kind if kind in usage else "other"] += int(await redis.memory_usage(key) or 0)
    record, cache = usage["chain"] / chains, usage["cache"] / chains
    hourly = 1000 * (record * 24 * 7 + cache * 24)  # records live 7 days (THINKBOT_RECORD_TTL), answers 24 h
    print(f"Redis memory per {steps}-step chain: record {record / 1024:.1f} KiB, cache entry {cache / 1024:.1f} KiB;")
    print(f"  at 1,000 chains an hour, with the default TTLs: {hourly / 2**20:,.0f} MiB")
    print(f"  with THINKBOT_RECORD_TTL=86400: {1000 * 24 * (record + cache) / 2**20:,.0f} MiB")
    print(f"  (limits, budgets and dedupe marks: {usage['other'] / chains / 1024:.1f} KiB a chain; the chat adapters'")
    print("  message links, a few hundred bytes a posted message, live as long as the records)")


async def main(delay: float) -> None:
    with redis_url_or_server() as url, FakeGroq() as groq:
        await round_trips(groq, url, delay)
        await bytes_sent(groq, url, delay)
        await memory(groq, url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the fake takes per LLM call")
    asyncio.run(main(parser.parse_args().delay))
