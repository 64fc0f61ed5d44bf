"""The one entry point adapters call: ``service.think(request)`` yields the request's events as they happen.

In order, a request is: validated, deduplicated (its delivery key), rate limited (user, then place), checked
against the place's daily token budget, answered from the cache (replayed at once, marked cached) or by the one
chain running for that question in any process (single-flight), which waits for a slot under the per-process
concurrency cap (``ChainQueued`` reports the position) and then runs its strategy. Every request keeps a chain
record, and adapters link what they post to it (:class:`~core.chain_log.ChainLog`), so a reaction on any message
posted for it finds its step later, after a restart too.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from core.admission import Admission
from core.chain_config import ChainConfig
from core.chain_log import ChainLog
from core.chain_runner import run_chain
from core.concurrency import ConcurrencyCap
from core.errors import InputError
from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step
from core.kinds import FailureKind
from core.llm.types import LLMClient
from core.metrics import Metrics
from core.recorder import Recorder, relabel
from core.relay import Relay
from core.request import ThinkRequest
from core.state.cache import ResultCache, as_cached, cache_key
from core.state.dedupe import Deduper
from core.state.messages import MessageIndex
from core.state.records import ChainRecord, ChainRecords
from core.state.singleflight import SingleFlight
from core.state.stops import StopChannel, StopResult
from core.strategies.base import ChainContext, Strategy
from core.strategies.prompts import PROMPT_VERSION
from core.validation import clean_question

__all__ = ["ThinkService"]

log = logging.getLogger(__name__)

_CANCELLED = "Stopped at the asker's request."


async def _nothing() -> None:
    return None


async def _relabelled(events: AsyncGenerator[Event, None], chain_id: str) -> AsyncGenerator[Event, None]:
    async with contextlib.aclosing(events):
        async for event in events:
            yield relabel(event, chain_id)


class ThinkService(ChainLog):
    """The core as adapters see it (a :class:`~core.port.ThinkPort`); its lookups come from :class:`ChainLog`."""

    def __init__(
        self,
        *,
        llm: LLMClient,
        config: ChainConfig,
        strategies: Mapping[str, Strategy],
        default_strategy: str,
        admission: Admission,
        cache: ResultCache,
        flights: SingleFlight,
        records: ChainRecords,
        messages: MessageIndex,
        dedupe: Deduper,
        cap: ConcurrencyCap,
        metrics: Metrics | None = None,
        stops: StopChannel | None = None,
    ) -> None:
        if default_strategy not in strategies:
            raise ValueError(f"unknown default strategy {default_strategy!r}")
        super().__init__(records=records, messages=messages)
        self._llm = llm
        self._config = config
        self._strategies = dict(strategies)
        self._default = default_strategy
        self._admission = admission
        self._cache = cache
        self._flights = flights
        self._dedupe = dedupe
        self._cap = cap
        self._metrics = metrics
        self._stops = stops
        self._running: dict[str, asyncio.Task[None]] = {}

    @property
    def strategy_names(self) -> tuple[str, ...]:
        return tuple(self._strategies)

    def think(self, request: ThinkRequest) -> AsyncGenerator[Event, None]:
        """The events of ``request``, each shown to the metrics (when given) as it is yielded."""
        if self._metrics is None:
            return self._think(request)
        return self._observed(self._think(request), self._metrics)

    @staticmethod
    async def _observed(events: AsyncGenerator[Event, None], metrics: Metrics) -> AsyncGenerator[Event, None]:
        async with contextlib.aclosing(events):
            async for event in events:
                metrics.observe(event)
                yield event

    async def _think(self, request: ThinkRequest) -> AsyncGenerator[Event, None]:
        chain_id = uuid.uuid4().hex[:16]
        try:
            question, strategy = self._check(request)
        except InputError as exc:
            yield ChainFailed(chain_id=chain_id, kind=exc.kind, message=exc.user_message)
            return
        lease = await self._dedupe.claim(request.delivery_key) if request.delivery_key else None
        if request.delivery_key and lease is None:
            yield ChainFailed(
                chain_id=chain_id, kind=FailureKind.DUPLICATE, message="This request is already being answered."
            )
            return
        finished = False
        try:
            config = dataclasses.replace(self._config, model=request.model or self._config.model)
            key = self._cache_key(question, strategy, config, request)
            # Reading the cache is harmless, so it runs alongside the limit checks.
            refusal, cached = await asyncio.gather(
                self._admission.check(request, chain_id),
                self._cache.get(key) if not request.fresh else _nothing(),
            )
            if refusal is not None:
                yield refusal
                if refusal.kind is FailureKind.BUSY:
                    return  # Redis's pool was full, nothing was done: released, so a redelivery can try again
            else:
                answer = self._answer(request, question, strategy, chain_id, config, key, cached)
                async with contextlib.aclosing(answer) as events:
                    async for event in events:
                        yield event
            finished = True
        finally:
            if lease is not None:
                # Done once answered (even with an error); released if we were stopped, so a redelivery runs it.
                await (self._dedupe.done(lease) if finished else self._dedupe.release(lease))

    def cancel(self, chain_id: str) -> bool:
        """Stop ``chain_id`` if it is running in this process; its ``think`` ends with a ``cancelled`` failure."""
        task = self._running.get(chain_id)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    async def stop(self, chain_id: str) -> StopResult:
        """Stop ``chain_id`` wherever it runs: here, or (through the stop channel, when there is one) in the process
        running it, which ends it as :meth:`cancel` does."""
        if self.cancel(chain_id):
            return "stopped"
        if self._stops is None:
            return "not_running"
        return await self._stops.request(chain_id)

    def _check(self, request: ThinkRequest) -> tuple[str, Strategy]:
        name = request.strategy or self._default
        if name not in self._strategies:
            known = ", ".join(self._strategies)
            raise InputError(f"Unknown strategy {name!r}; choose one of: {known}.")
        return clean_question(request.question, max_chars=self._config.max_question_chars), self._strategies[name]

    async def _answer(
        self,
        request: ThinkRequest,
        question: str,
        strategy: Strategy,
        chain_id: str,
        config: ChainConfig,
        key: str,
        cached: tuple[Event, ...] | None,
    ) -> AsyncGenerator[Event, None]:
        base = ChainRecord(
            chain_id=chain_id,
            question=question,
            asker=request.user,
            place=request.place,
            strategy=strategy.name,
            model=config.model,
        )
        async with Recorder(records=self._records, base=base) as recorder:
            if cached:
                for event in as_cached(cached, chain_id=chain_id):
                    recorder.see(event)
                    yield event
                return
            ctx = ChainContext(
                chain_id=chain_id, question=question, history=request.history, llm=self._llm, config=config
            )
            flight = self._flights.run(key, lambda: self._lead(strategy, ctx, key, request.place))
            async with contextlib.aclosing(self._follow(flight, chain_id)) as events:
                async for event in events:
                    recorder.see(event)
                    yield event

    async def _follow(self, events: AsyncGenerator[Event, None], chain_id: str) -> AsyncGenerator[Event, None]:
        """Relay ``events`` through a task that :meth:`cancel` can stop, relabelled for this request."""
        relay = Relay(_relabelled(events, chain_id), name=f"follow-{chain_id}")
        self._running[chain_id] = relay.task
        steps: list[Step] = []
        try:
            async with contextlib.aclosing(relay.items()) as items:
                async for item in items:
                    if isinstance(item, Step):
                        steps.append(item)
                    yield item
            if relay.task.cancelled():
                yield ChainFailed(chain_id=chain_id, kind=FailureKind.CANCELLED, message=_CANCELLED, steps=tuple(steps))
        finally:
            del self._running[chain_id]

    async def _lead(self, strategy: Strategy, ctx: ChainContext, key: str, place: str) -> AsyncGenerator[Event, None]:
        """The chain itself, run by whichever asker leads the flight: queue for a slot, run, cache, spend."""
        async with self._cap.ticket() as ticket:
            async for position in ticket.positions():
                yield ChainQueued(chain_id=ctx.chain_id, position=position)
            kept: list[Event] = []
            async with contextlib.aclosing(run_chain(strategy, ctx)) as chain:
                async for event in chain:
                    if isinstance(event, ChainStarted | Step | FinalAnswer):
                        kept.append(event)
                    if isinstance(event, FinalAnswer):
                        await self._cache.put(key, kept)  # before the answer is out, so no second chain slips in
                        await self._admission.spend(place, event.usage.total_tokens)
                    elif isinstance(event, ChainFailed):
                        await self._admission.spend(place, sum(s.usage.total_tokens for s in event.steps))
                    yield event

    def _cache_key(self, question: str, strategy: Strategy, config: ChainConfig, request: ThinkRequest) -> str:
        options: dict[str, Any] = {
            "history": [[turn.question, turn.answer] for turn in request.history],
            "temperature": config.temperature,
            "step_cap": config.step_cap,
            "berry_turns": config.berry_turns,
            "step_max_tokens": config.step_max_tokens,
        }
        return cache_key(
            question=question,
            strategy=strategy.name,
            model=config.model,
            prompt_version=PROMPT_VERSION,
            options=options,
        )
