"""Scripting helpers shared by the deploy tests: g1 steps for the fake Groq, metric samples from exposition text."""

from __future__ import annotations

import json

from prometheus_client.parser import text_string_to_metric_families

from tests.fakes.groq_server import FakeGroq

__all__ = ["sample", "script_chain", "step"]


def step(title: str, next_action: str = "continue") -> str:
    return json.dumps({"title": title, "content": f"thinking about {title}", "next_action": next_action})


def script_chain(fake: FakeGroq, *, steps: int = 2, delay: float = 0.0, tokens: tuple[int, int] = (10, 5)) -> None:
    """Queue a g1 chain of ``steps`` steps and its answer, each reply taking ``delay`` seconds."""
    prompt, completion = tokens
    for n in range(1, steps + 1):
        action = "final_answer" if n == steps else "continue"
        fake.reply(step(f"step {n}", action), delay=delay, prompt_tokens=prompt, completion_tokens=completion)
    fake.reply("the answer", delay=delay, prompt_tokens=prompt, completion_tokens=completion)


def sample(text: str, name: str, **labels: str) -> float:
    """The value of sample ``name`` with ``labels`` in exposition ``text`` (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0
