"""Overhead of Thinkbot around the LLM calls, against a bare loop of the same groq SDK calls.

A 6-step g1 chain against a fake Groq in another process, timed in the same run, interleaved:
- bare: the seven groq SDK calls (same transport, same ``post``, same messages), nothing else;
- engine: ``run_chain`` with the g1 strategy over ``GroqClient`` (parser, events, deadline task): the
  reasoning core of issue 2;
- service: ``ThinkService.think`` as production wires it, with limits, budget, cache, single-flight and records
  in a real Redis.
Each is measured with a zero-latency fake (where every client-side cost shows) and with ``--latency`` per call
(closer to Groq, whose calls take hundreds of ms). Target: engine/bare and service/bare <= 1.10.

    python -m bench.overhead [--chains 100] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable

import groq
from groq.types.chat import ChatCompletion

from bench.fake_groq_process import Endpoint, fake_groq_process
from core.chain_config import ChainConfig
from core.chain_runner import run_chain
from core.events import FinalAnswer
from core.llm.groq_client import GroqClient
from core.request import ThinkRequest
from core.service import ThinkService
from core.strategies.base import ChainContext
from core.strategies.g1 import G1Strategy
from core.strategies.prompts import G1_FINAL_REQUEST, G1_PREFILL, G1_SYSTEM
from tests.redis_server import redis_url_or_server as redis_target
from tests.service_kit import running_service

MODEL = "meta-llama/llama-4-scout-17b-16e-instruct"
QUESTION = "How many Rs are in strawberry?"
STEPS = 6
PATH = "/openai/v1/chat/completions"

Timed = Callable[[int], Awaitable[float]]


def service_runner(service: ThinkService) -> Timed:
    async def once(n: int) -> float:
        start = time.perf_counter()
        async for event in service.think(ThinkRequest(question=f"{QUESTION} ({n})")):
            last = event
        assert isinstance(last, FinalAnswer), last
        return time.perf_counter() - start

    return once


def engine_runner(llm: GroqClient) -> Timed:
    config, strategy = ChainConfig(model=MODEL), G1Strategy()

    async def once(n: int) -> float:
        start = time.perf_counter()
        ctx = ChainContext(chain_id=str(n), question=f"{QUESTION} ({n})", history=(), llm=llm, config=config)
        async for event in run_chain(strategy, ctx):
            last = event
        assert isinstance(last, FinalAnswer), last
        return time.perf_counter() - start

    return once


def bare_runner(client: groq.AsyncGroq) -> Timed:
    async def once(n: int) -> float:
        start = time.perf_counter()
        messages = [
            {"role": "system", "content": G1_SYSTEM},
            {"role": "user", "content": f"{QUESTION} ({n})"},
            {"role": "assistant", "content": G1_PREFILL},
        ]
        for _ in range(STEPS):
            body = {"model": MODEL, "messages": messages, "temperature": 0.2, "max_completion_tokens": 1024}
            body["response_format"] = {"type": "json_object"}
            reply = await client.post(PATH, cast_to=ChatCompletion, body=body)
            step = json.loads(reply.choices[0].message.content or "")
            messages.append({"role": "assistant", "content": json.dumps(step)})
            if step["next_action"] == "final_answer":
                break
        messages.append({"role": "user", "content": G1_FINAL_REQUEST})
        body = {"model": MODEL, "messages": messages, "temperature": 0.2, "max_completion_tokens": 2048}
        await client.post(PATH, cast_to=ChatCompletion, body=body)
        return time.perf_counter() - start

    return once


async def measure(chains: int, latency: float, redis_url: str) -> dict[str, list[float]]:
    with fake_groq_process(steps=STEPS, delay=latency) as (base_url, api_key):
        settings = {"user_rate": "1000000/1s", "place_rate": "1000000/1s", "model": MODEL, "llm_max_retries": 0}
        endpoint = Endpoint(base_url=base_url, api_key=api_key)
        async with running_service(groq=endpoint, redis_url=redis_url, **settings) as services:  # type: ignore[arg-type]
            llm = GroqClient(api_key=api_key, base_url=base_url, timeout=30, max_retries=0)
            bare = groq.AsyncGroq(
                api_key=api_key, base_url=base_url, timeout=30, max_retries=0, http_client=groq.DefaultAioHttpClient()
            )
            runners = {
                "bare": bare_runner(bare),
                "engine": engine_runner(llm),
                "service": service_runner(services.service),
            }
            times: dict[str, list[float]] = {name: [] for name in runners}
            for n in range(-5, chains):  # the first five warm the pools and code paths, and are not counted
                for name, once in runners.items():  # interleaved, so drift in the machine's load hits all alike
                    elapsed = await once(n)  # a new question each time: no cache hits
                    if n >= 0:
                        times[name].append(elapsed)
            await llm.aclose()
            await bare.close()
    return times


def report(label: str, times: dict[str, list[float]]) -> None:
    bare = statistics.median(times["bare"])
    print(label)
    for name, values in times.items():
        med = statistics.median(values)
        ratio = "" if name == "bare" else f"  ratio {med / bare:.3f}"
        print(f"  {name:8} median {med * 1000:8.2f} ms  mean {statistics.fmean(values) * 1000:8.2f} ms{ratio}")


async def run(chains: int, latency: float) -> None:
    with redis_target() as redis_url:
        print(f"{chains} chains per row, {STEPS} steps + final answer = {STEPS + 1} calls each; target ratio <= 1.10")
        report("zero-latency fake:", await measure(chains, 0.0, redis_url))
        report(
            f"fake answering after {latency * 1000:.0f} ms:", await measure(max(10, chains // 5), latency, redis_url)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    asyncio.run(run(args.chains, args.latency))


if __name__ == "__main__":
    main()
