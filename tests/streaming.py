"""A throwaway strategy that streams: each step's text comes as StepDelta pieces before the step, the way the
streaming strategies of issue 12 will send them, so the presenter, the platforms and the core can be tested with
partial steps today. Register it for a test with the ``streaming`` fixture's context manager."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager

from core.events import FinalAnswer, Step, StepDelta
from core.llm.types import Usage
from core.strategies.base import ChainContext
from core.strategies.registry import STRATEGIES, StrategyEntry

__all__ = ["PIECES", "StreamingStrategy", "registered"]

PIECES = ("Counting the letters ", "one by one: s, t, r, a, w, ", "b, e, r, r, y.")


class StreamingStrategy:
    """Two steps whose text comes in :data:`PIECES`, ``pause`` seconds apart, then a one-line answer."""

    name = "streaming"
    pause = 0.3

    async def run(self, ctx: ChainContext) -> AsyncGenerator[StepDelta | Step | FinalAnswer, None]:
        for index in (1, 2):
            began = time.monotonic()
            for piece in PIECES:
                yield StepDelta(chain_id=ctx.chain_id, index=index, text=piece)
                await asyncio.sleep(self.pause)
            yield Step(
                chain_id=ctx.chain_id, index=index, title=f"Pass {index}", content="".join(PIECES),
                elapsed=time.monotonic() - began, usage=Usage(),
            )  # fmt: skip
        yield FinalAnswer(chain_id=ctx.chain_id, text="Three.", total_time=ctx.elapsed(), usage=Usage(), steps=2)


@contextmanager
def registered() -> Iterator[StrategyEntry]:
    entry = StrategyEntry(name="streaming", description="streams its steps (tests)", build=StreamingStrategy)
    with STRATEGIES.added(entry) as added:
        yield added
