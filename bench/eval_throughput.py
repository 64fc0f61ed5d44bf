"""Eval throughput against ``--concurrency``: questions per second at 1, 4 and 16 chains at once.

``thinkbot eval``'s runner (:func:`core.eval.runner.run_eval`) with the real Groq client runs g1 on the ``letters``
set against a fake Groq in another process that answers every call after 200 ms (2 steps and the answer: 3 calls,
0.6 s a question at best). Each level runs 8 questions per chain slot, so every level takes about 4.8 s when the
slots are kept busy. Baseline in the same run: concurrency 1; the ideal ratio is the concurrency itself.

    python -m bench.eval_throughput
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.fake_groq_process import fake_groq_process
from core.chain_config import ChainConfig
from core.eval.runner import plan, run_eval
from core.eval.sets import load_set
from core.llm.groq_client import GroqClient
from core.strategies.registry import STRATEGIES

DELAY = 0.2
STEPS = 2
PER_SLOT = 8
MODEL = "openai/gpt-oss-120b"


async def throughput(base_url: str, api_key: str, concurrency: int) -> tuple[int, float, int]:
    """(questions, seconds, failed samples) for one level."""
    questions = load_set("letters")
    count = PER_SLOT * concurrency
    chosen = [questions[i % len(questions)] for i in range(count)]
    jobs = plan([("g1", MODEL)], chosen, 1)
    llm = GroqClient(api_key=api_key, base_url=base_url, timeout=30, max_retries=0)
    try:
        began = time.perf_counter()
        samples = await run_eval(
            jobs,
            llm=llm,
            config=ChainConfig(model=MODEL),
            strategies=STRATEGIES.build_all(),
            concurrency=concurrency,
        )
        seconds = time.perf_counter() - began
    finally:
        await llm.aclose()
    return len(samples), seconds, sum(s.failure is not None for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,4,16", help="concurrency levels, the first being the baseline")
    levels = [int(level) for level in parser.parse_args().levels.split(",")]
    per_question = (STEPS + 1) * DELAY
    with fake_groq_process(steps=STEPS, delay=DELAY) as (base_url, api_key):
        baseline = None
        for level in levels:
            count, seconds, failed = asyncio.run(throughput(base_url, api_key, level))
            rate = count / seconds
            baseline = baseline or rate
            ideal = level / per_question
            print(
                f"concurrency {level:>3}  {count:>4} questions in {seconds:5.2f} s  {rate:6.2f} questions/s  "
                f"ratio {rate / baseline:5.2f}x vs concurrency {levels[0]} (ideal {level / levels[0]:g}x, "
                f"{rate / ideal:.0%} of {ideal:.2f}/s)  failed {failed}"
            )


if __name__ == "__main__":
    main()
