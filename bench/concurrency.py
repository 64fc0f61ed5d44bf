"""Many chains at once: does the service keep them all moving?

200 g1 chains of 6 steps start together, through the service as production wires it (Redis state on a local
redis-server, concurrency cap raised to the number of chains), against a fake Groq in another process that
answers every call after 100 ms. With nothing queueing, a chain takes 7 calls x 100 ms, so the ideal wall time is
0.7 s whatever the number of chains. Prints wall time against that ideal (target <= 1.2x) and this process's peak
memory (target < 200 MB), with the memory before the run as the baseline.

    python -m bench.concurrency [--chains 200] [--delay 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time

from bench.fake_groq_process import Endpoint, fake_groq_process
from core.chain_config import ChainConfig
from core.chain_runner import run_chain
from core.events import FinalAnswer
from core.llm.groq_client import GroqClient
from core.request import ThinkRequest
from core.service import ThinkService
from core.strategies.base import ChainContext
from core.strategies.g1 import G1Strategy
from tests.redis_server import redis_url_or_server as redis_target
from tests.service_kit import running_service

MODEL = "meta-llama/llama-4-scout-17b-16e-instruct"
STEPS = 6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def one_chain(service: ThinkService, n: int) -> bool:
    last = None
    async for event in service.think(ThinkRequest(question=f"Question {n}: how many Rs are in strawberry?")):
        last = event
    return isinstance(last, FinalAnswer)


async def engine_chain(llm: GroqClient, n: int) -> bool:
    ctx = ChainContext(chain_id=str(n), question=f"Question {n}?", history=(), llm=llm, config=ChainConfig(model=MODEL))
    last = None
    async for event in run_chain(G1Strategy(), ctx):
        last = event
    return isinstance(last, FinalAnswer)


async def run_engine(chains: int, base_url: str, api_key: str) -> float:
    """The same load on the reasoning engine alone (no Redis, no service): where the client's time goes."""
    llm = GroqClient(api_key=api_key, base_url=base_url, timeout=30, max_retries=0, max_connections=chains)
    await engine_chain(llm, -1)
    start = time.perf_counter()
    results = await asyncio.gather(*(engine_chain(llm, n) for n in range(chains)))
    wall = time.perf_counter() - start
    await llm.aclose()
    assert all(results)
    return wall


async def run(chains: int, delay: float) -> None:
    settings = {
        "user_rate": "1000000/1s",
        "place_rate": "1000000/1s",
        "model": MODEL,
        "llm_max_retries": 0,
        "llm_max_connections": chains,
        "max_concurrent_chains": chains,
        "request_timeout": 30.0,
        "redis_max_connections": chains,
    }
    with fake_groq_process(steps=STEPS, delay=delay) as (base_url, api_key), redis_target() as redis_url:
        endpoint = Endpoint(base_url=base_url, api_key=api_key)
        async with running_service(groq=endpoint, redis_url=redis_url, **settings) as services:  # type: ignore[arg-type]
            service = services.service
            await one_chain(service, -1)  # warm-up: imports, first connection
            baseline = peak_rss_mb()
            start = time.perf_counter()
            results = await asyncio.gather(*(one_chain(service, n) for n in range(chains)))
            wall = time.perf_counter() - start
        engine_wall = await run_engine(chains, base_url, api_key)
    ideal = (STEPS + 1) * delay
    print(f"chains                   {chains} at once, {STEPS} steps + final answer, {delay * 1000:.0f} ms per call")
    print(f"answered                 {sum(results)} of {chains}")
    print(f"wall time                {wall:.3f} s; ideal {ideal:.3f} s; ratio {wall / ideal:.3f} (target <= 1.2)")
    print(f"engine only              {engine_wall:.3f} s; ratio {engine_wall / ideal:.3f} (no service, no Redis)")
    print(f"peak RSS                 {peak_rss_mb():.1f} MB (before the run {baseline:.1f} MB; target < 200 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.1)
    args = parser.parse_args()
    asyncio.run(run(args.chains, args.delay))


if __name__ == "__main__":
    main()
