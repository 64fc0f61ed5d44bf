"""Runs one strategy as a chain: ``ChainStarted``, its steps, then ``FinalAnswer`` or ``ChainFailed``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator

from core.concurrency import ConcurrencyCap
from core.errors import DeadlineExceededError, EmptyAnswerError, ThinkbotError
from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step
from core.kinds import FailureKind
from core.relay import Relay
from core.strategies.base import ChainContext, Strategy
from core.text import is_blank

__all__ = ["run_chain", "run_in_turn"]

log = logging.getLogger(__name__)

_EMPTY = "The model gave an empty final answer. Please ask again."


async def run_chain(strategy: Strategy, ctx: ChainContext) -> AsyncGenerator[Event, None]:
    """The chain's events; every error ends it with a ``ChainFailed`` keeping the steps done so far.

    A final answer that shows nothing is such an error (``empty_answer``), whichever strategy gave it, so it is
    never cached nor shown as an answer.

    The strategy runs in its own task (a :class:`Relay`), so the deadline measures the chain and not how fast the
    caller consumes events. Closing this generator or cancelling its consumer cancels the chain and its
    in-flight LLM request, and waits for it: no task is left behind.
    """
    yield ChainStarted(chain_id=ctx.chain_id, question=ctx.question, strategy=strategy.name, model=ctx.config.model)
    relay = Relay(_events(strategy, ctx), name=f"chain-{ctx.chain_id}")
    async with contextlib.aclosing(relay.items()) as events:
        async for event in events:
            yield event


async def run_in_turn(strategy: Strategy, ctx: ChainContext, *, cap: ConcurrencyCap) -> AsyncGenerator[Event, None]:
    """:func:`run_chain` once ``cap`` has a slot for it; ``ChainQueued`` with its place in line while it waits."""
    async with cap.ticket() as ticket:
        async for position in ticket.positions():
            yield ChainQueued(chain_id=ctx.chain_id, position=position)
        async with contextlib.aclosing(run_chain(strategy, ctx)) as chain:
            async for event in chain:
                yield event


async def _events(strategy: Strategy, ctx: ChainContext) -> AsyncGenerator[Event, None]:
    steps: list[Step] = []

    def failed(kind: FailureKind, message: str) -> ChainFailed:
        return ChainFailed(chain_id=ctx.chain_id, kind=kind, message=message, steps=tuple(steps))

    try:
        try:
            async with asyncio.timeout(ctx.config.deadline), contextlib.aclosing(strategy.run(ctx)) as events:
                async for event in events:
                    if isinstance(event, Step):
                        steps.append(event)
                    elif isinstance(event, FinalAnswer) and is_blank(event.text):
                        raise EmptyAnswerError(_EMPTY)
                    yield event
        except TimeoutError:
            message = f"The chain ran past its {ctx.config.deadline:g} s time limit and was stopped."
            raise DeadlineExceededError(message) from None
    except ThinkbotError as exc:
        log.warning("chain %s failed: %s", ctx.chain_id, exc.kind)
        yield failed(exc.kind, exc.user_message)
    except Exception:
        log.exception("chain %s crashed", ctx.chain_id)
        yield failed(FailureKind.INTERNAL, "Something went wrong on our side while thinking. Please try again.")
