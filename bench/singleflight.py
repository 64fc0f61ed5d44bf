"""Identical questions at once, across two processes: how many chains run?

100 askers (50 in this process, 50 in a second one) ask the same question at the same moment, through the service
as production wires it, on one Redis, against one fake Groq answering each call after 100 ms. Single-flight should
run exactly one chain (7 LLM calls) and give every asker every step. Baseline in the same run: 100 different
questions, which must run 100 chains.

    python -m bench.singleflight
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time

from bench.fake_groq_process import Endpoint, chain_responder
from core.events import FinalAnswer, Step
from core.request import ThinkRequest
from tests.fakes.groq_server import FakeGroq
from tests.redis_server import redis_url_or_server as redis_target
from tests.service_kit import running_service

STEPS = 6
SETTINGS = {"user_rate": "1000000/1s", "place_rate": "1000000/1s", "max_concurrent_chains": 200}


async def ask_many(base_url: str, api_key: str, redis_url: str, prefix: str, questions: list[str], at: float) -> list:
    endpoint = Endpoint(base_url=base_url, api_key=api_key)
    async with running_service(groq=endpoint, redis_url=redis_url, redis_key_prefix=prefix, **SETTINGS) as services:  # type: ignore[arg-type]

        async def one(question: str) -> tuple[int, bool]:
            steps, answered = 0, False
            async for event in services.service.think(ThinkRequest(question=question)):
                steps += isinstance(event, Step)
                answered = isinstance(event, FinalAnswer)
            return steps, answered

        await asyncio.sleep(max(0.0, at - time.time()))
        return await asyncio.gather(*(one(q) for q in questions))


def child(argv: list[str]) -> None:
    base_url, api_key, redis_url, prefix, at, questions = argv[0], argv[1], argv[2], argv[3], float(argv[4]), argv[5:]
    results = asyncio.run(ask_many(base_url, api_key, redis_url, prefix, questions, at))
    print(json.dumps(results))


def trial(fake: FakeGroq, redis_url: str, questions: list[str], prefix: str) -> tuple[int, list]:
    before = len(fake.chat_requests)
    at = time.time() + 3.0  # both processes start asking at this moment
    half = len(questions) // 2
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.singleflight",
            "--child",
            fake.base_url,
            fake.api_key,
            redis_url,
            prefix,
            str(at),
            *questions[half:],
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    mine = asyncio.run(ask_many(fake.base_url, fake.api_key, redis_url, prefix, questions[:half], at))
    out, _ = proc.communicate(timeout=120)
    return len(fake.chat_requests) - before, mine + json.loads(out)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with redis_target() as redis_url, FakeGroq(responder=chain_responder(STEPS, 0.1)) as fake:
        same_calls, same = trial(fake, redis_url, ["How many Rs are in strawberry?"] * 100, "benchsame")
        diff_calls, _answers = trial(fake, redis_url, [f"Question number {n}?" for n in range(100)], "benchdiff")
    per_chain = STEPS + 1
    complete = sum(1 for steps, answered in same if steps == STEPS and answered)
    print(f"identical questions      100 askers in 2 processes: {same_calls / per_chain:g} chain(s) run")
    print(f"                         {complete} of 100 askers saw all {STEPS} steps and the answer")
    print(f"different questions      100 askers in 2 processes: {diff_calls / per_chain:g} chains run (baseline)")
    print(f"ratio                    {same_calls / diff_calls:.3f} of the baseline's LLM calls (ideal 0.010)")


if __name__ == "__main__":
    main()
