"""A fake chain for the state tests: real event objects, produced with small delays like a model would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from core.events import ChainStarted, Event, FinalAnswer, Step
from core.llm.types import Usage

__all__ = ["fake_chain"]


async def fake_chain(
    chain_id: str,
    *,
    steps: int = 3,
    delay: float = 0.02,
    on_start: Callable[[], None] | None = None,
    gate: asyncio.Event | None = None,
    gate_before: int = 1,
) -> AsyncIterator[Event]:
    """``ChainStarted``, ``steps`` steps, ``FinalAnswer``; waits for ``gate`` (if given) before step ``gate_before``
    (``steps + 1``: before the answer)."""
    if on_start:
        on_start()
    yield ChainStarted(chain_id=chain_id, question="Why is the sky blue?", strategy="g1", model="fake-model")
    total = Usage()
    for index in range(1, steps + 2):
        if gate is not None and index == gate_before:
            await gate.wait()
        if index > steps:
            break
        await asyncio.sleep(delay)
        usage = Usage(prompt_tokens=10 * index, completion_tokens=5)
        total = total + usage
        yield Step(chain_id, index, f"Step {index}", f"Thinking about part {index}.", delay, usage)
    yield FinalAnswer(chain_id, "Rayleigh scattering.", delay * steps, total, steps)
