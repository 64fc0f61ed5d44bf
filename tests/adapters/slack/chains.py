"""Scripted g1 chains for the fake Groq: which steps and answer a question gets, picked by a word in it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.strategies.prompts import G1_FINAL_REQUEST
from tests.fakes.groq_wire import Hang, Reply

__all__ = ["Script", "Scripts"]


@dataclass(frozen=True, slots=True)
class Script:
    steps: tuple[tuple[str, str], ...] = (("Read the question", "Look at it closely."), ("Count", "It is 4."))
    answer: str = "The answer is **4**."
    delay: float = 0.0
    hang_after: int | None = None


@dataclass
class Scripts:
    """``scripts["strawberry"] = Script(...)``: a chain for questions containing that word (else ``default``)."""

    default: Script = field(default_factory=Script)
    by_word: dict[str, Script] = field(default_factory=dict)

    def __setitem__(self, word: str, script: Script) -> None:
        self.by_word[word] = script

    def responder(self) -> Callable[[dict[str, Any]], Reply | Hang]:
        return self._respond

    def _respond(self, body: dict[str, Any]) -> Reply | Hang:
        messages = body.get("messages", [])
        at = max(i for i, m in enumerate(messages) if m.get("role") == "user" and m["content"] != G1_FINAL_REQUEST)
        question = messages[at]["content"]
        script = next((s for w, s in self.by_word.items() if w in question), self.default)
        if "response_format" not in body:
            return Reply(script.answer, delay=script.delay)
        done = max(0, sum(1 for m in messages[at:] if m.get("role") == "assistant") - 1)  # minus the pre-fill
        if script.hang_after is not None and done >= script.hang_after:
            return Hang()
        title, content = script.steps[done]
        last = done + 1 >= len(script.steps)
        step = {"title": title, "content": content, "next_action": "final_answer" if last else "continue"}
        return Reply(json.dumps(step), delay=script.delay)
