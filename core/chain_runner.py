"""Runs one strategy as a chain: ``ChainStarted``, its steps, then ``FinalAnswer`` or ``ChainFailed``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator

from core.errors import DeadlineExceededError, ThinkbotError
from core.events import ChainFailed, ChainStarted, Event, Step
from core.strategies.base import ChainContext, Strategy

__all__ = ["run_chain"]

log = logging.getLogger(__name__)

_DONE = object()


async def run_chain(strategy: Strategy, ctx: ChainContext) -> AsyncGenerator[Event, None]:
    """The chain's events; every error ends it with a ``ChainFailed`` keeping the steps done so far.

    The strategy runs in its own task feeding a queue, so the deadline measures the chain and not how fast the
    caller consumes events. Closing this generator or cancelling its consumer cancels the chain and its
    in-flight LLM request, and waits for it: no task is left behind.
    """
    yield ChainStarted(chain_id=ctx.chain_id, question=ctx.question, strategy=strategy.name, model=ctx.config.model)
    queue: asyncio.Queue[object] = asyncio.Queue()
    task = asyncio.create_task(_produce(strategy, ctx, queue), name=f"chain-{ctx.chain_id}")
    try:
        while (item := await queue.get()) is not _DONE:
            yield item  # type: ignore[misc]
    finally:
        if not task.done():
            task.cancel()
            await asyncio.wait([task])


async def _produce(strategy: Strategy, ctx: ChainContext, queue: asyncio.Queue[object]) -> None:
    steps: list[Step] = []

    def failed(kind: str, message: str) -> ChainFailed:
        return ChainFailed(chain_id=ctx.chain_id, kind=kind, message=message, steps=tuple(steps))

    try:
        try:
            async with asyncio.timeout(ctx.config.deadline), contextlib.aclosing(strategy.run(ctx)) as events:
                async for event in events:
                    if isinstance(event, Step):
                        steps.append(event)
                    queue.put_nowait(event)
        except TimeoutError:
            message = f"The chain ran past its {ctx.config.deadline:g} s time limit and was stopped."
            raise DeadlineExceededError(message) from None
    except ThinkbotError as exc:
        log.warning("chain %s failed: %s", ctx.chain_id, exc.kind)
        queue.put_nowait(failed(exc.kind, exc.user_message))
    except Exception:
        log.exception("chain %s crashed", ctx.chain_id)
        queue.put_nowait(failed("internal", "Something went wrong on our side while thinking. Please try again."))
    finally:
        queue.put_nowait(_DONE)
