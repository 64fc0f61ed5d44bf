"""The fake Groq in its own process, answering every call like a model running an N-step g1 chain.

``python -m bench.fake_groq_process --steps 6 --delay 0.1`` prints its base URL on the first line of stdout and
serves until its stdin closes. Keeping it out of the measured process keeps its CPU and memory out of the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.fakes.groq_server import FakeGroq
from tests.fakes.groq_wire import Reply

__all__ = ["Endpoint", "chain_responder", "fake_groq_process"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """Where a fake Groq listens and its key: what ``tests.service_kit.running_service`` needs of a fake."""

    base_url: str
    api_key: str


def chain_responder(steps: int, delay: float):  # type: ignore[no-untyped-def]
    """Step ``n`` (counted from the assistant turns already sent) until ``steps``, then a plain answer."""

    def respond(body: dict[str, Any]) -> Reply:
        if "response_format" not in body:
            return Reply("There are 3 Rs in strawberry.", delay=delay)
        done = sum(1 for m in body.get("messages", []) if m.get("role") == "assistant") - 1  # minus the pre-fill
        index = done + 1
        step = {
            "title": f"Step {index}",
            "content": f"Reasoning for step {index}: s-t-r-a-w-b-e-r-r-y has r at 3, 8 and 9.",
            "next_action": "final_answer" if index >= steps else "continue",
        }
        return Reply(json.dumps(step), delay=delay)

    return respond


@contextmanager
def fake_groq_process(*, steps: int, delay: float) -> Iterator[tuple[str, str]]:
    """Start the fake in a child process; yields ``(base_url, api_key)``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.fake_groq_process", "--steps", str(steps), "--delay", str(delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url, api_key = proc.stdout.readline().split()
        yield base_url, api_key
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    with FakeGroq(responder=chain_responder(args.steps, args.delay)) as fake:
        print(fake.base_url, fake.api_key, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
