"""The one entry point adapters call: ``service.think(request)`` yields the chain's events as they happen."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid
from collections.abc import AsyncIterator, Mapping

from core.chain_config import ChainConfig
from core.errors import DeadlineExceededError, InputError, ThinkbotError
from core.events import ChainFailed, ChainStarted, Event, Step
from core.llm.types import LLMClient
from core.request import ThinkRequest
from core.strategies.base import ChainContext, Strategy
from core.validation import clean_question

__all__ = ["ThinkService"]

log = logging.getLogger(__name__)

_DONE = object()


class ThinkService:
    """Validates a request, runs its strategy under the chain deadline, and streams the events.

    The strategy runs in its own task feeding a queue, so the deadline measures the chain and not how fast the
    caller consumes events. Closing the iterator (``aclose``, ``break``) or cancelling the caller cancels the
    chain and its in-flight LLM request, and waits for it: no task is left behind.
    """

    def __init__(
        self, *, llm: LLMClient, config: ChainConfig, strategies: Mapping[str, Strategy], default_strategy: str
    ) -> None:
        if default_strategy not in strategies:
            raise ValueError(f"unknown default strategy {default_strategy!r}")
        self._llm = llm
        self._config = config
        self._strategies = dict(strategies)
        self._default = default_strategy

    @property
    def strategy_names(self) -> tuple[str, ...]:
        return tuple(self._strategies)

    async def think(self, request: ThinkRequest) -> AsyncIterator[Event]:
        chain_id = uuid.uuid4().hex[:16]
        try:
            question, strategy = self._check(request)
        except InputError as exc:
            yield ChainFailed(chain_id=chain_id, kind=exc.kind, message=exc.user_message)
            return
        config = dataclasses.replace(self._config, model=request.model or self._config.model)
        yield ChainStarted(chain_id=chain_id, question=question, strategy=strategy.name, model=config.model)
        ctx = ChainContext(chain_id=chain_id, question=question, history=request.history, llm=self._llm, config=config)
        queue: asyncio.Queue[object] = asyncio.Queue()
        task = asyncio.create_task(self._produce(strategy, ctx, queue), name=f"chain-{chain_id}")
        try:
            while (item := await queue.get()) is not _DONE:
                yield item  # type: ignore[misc]
        finally:
            if not task.done():
                task.cancel()
                await asyncio.wait([task])

    def _check(self, request: ThinkRequest) -> tuple[str, Strategy]:
        name = request.strategy or self._default
        if name not in self._strategies:
            known = ", ".join(self._strategies)
            raise InputError(f"Unknown strategy {name!r}; choose one of: {known}.")
        return clean_question(request.question, max_chars=self._config.max_question_chars), self._strategies[name]

    async def _produce(self, strategy: Strategy, ctx: ChainContext, queue: asyncio.Queue[object]) -> None:
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
