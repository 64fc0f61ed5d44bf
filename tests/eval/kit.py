"""A fake Groq responder for evals: each strategy's calls recognised by their shape, the bare call answered wrongly
and the chains rightly, so an eval's accuracy per strategy is known in advance."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from core.strategies.prompts import BERRY_SYSTEM, G1_SYSTEM
from tests.fakes.groq_wire import Reply

__all__ = ["addition_file", "right_answer", "strategy_of", "wrong_for_bare"]

_SUM = re.compile(r"What is (\d+) \+ (\d+)\?")


def addition_file(count: int = 10) -> str:
    """``count`` JSON lines ``What is A + B?`` with their sums, checked as numbers."""
    lines = [
        json.dumps({"question": f"What is {a} + {2 * a + 1}?", "answer": a + 2 * a + 1, "checker": "number"})
        for a in range(1, count + 1)
    ]
    return "\n".join(lines) + "\n"


def right_answer(question: str) -> int:
    match = _SUM.search(question)
    assert match, question
    return int(match.group(1)) + int(match.group(2))


def strategy_of(body: dict[str, Any]) -> str:
    if body.get("stream") is True:
        return "native"  # the only strategy that streams
    system = next((m["content"] for m in body["messages"] if m["role"] == "system"), None)
    return {G1_SYSTEM: "g1", BERRY_SYSTEM: "berry", None: "bare"}.get(system, "other")


def wrong_for_bare(
    delay: float = 0.0,
    steps: int = 2,
    *,
    answer_of: Callable[[str], int] = right_answer,
    tagged: bool = False,
) -> Callable[[dict[str, Any]], Reply]:
    """Bare calls get the answer plus one; g1 takes ``steps`` JSON steps then says the answer; berry says it every
    turn; native (streamed) reasons in two headed paragraphs, then says it.

    ``answer_of`` finds the right answer in the question (the sum of ``What is A + B?``); ``tagged`` writes the
    answers between ``<answer>`` tags, as gym sets ask, instead of in bold (the bare call's bare)."""

    def respond(body: dict[str, Any]) -> Reply:
        question = next(m["content"] for m in body["messages"] if m["role"] == "user")
        right = answer_of(question)
        said = f"<answer>{right}</answer>" if tagged else f"**{right}**"
        strategy = strategy_of(body)
        if strategy == "bare":
            return Reply(f"It is <answer>{right + 1}</answer>." if tagged else f"It is {right + 1}.", delay=delay)
        if strategy == "native":
            thinking = "**Adding**\n\nThe two numbers add up.\n\n**Checking**\n\nAgain, the same sum."
            return Reply(f"The sum is {said}.", reasoning=thinking, delay=delay)
        if "response_format" in body:
            done = sum(1 for m in body["messages"] if m["role"] == "assistant") - 1  # minus g1's pre-fill
            step = {"title": f"Step {done + 1}", "content": "adding", "next_action": "continue"}
            if done + 1 >= steps:
                step["next_action"] = "final_answer"
            return Reply(json.dumps(step), delay=delay)
        return Reply(f"The sum is {said}.", delay=delay)

    return respond
