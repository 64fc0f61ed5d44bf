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
from functools import partial
from typing import Any

from core.admission import Admission, Verdict
from core.answer_key import answer_key
from core.chain_config import ChainConfig
from core.chain_job import hand_off_to
from core.chain_log import ChainLog
from core.chain_runner import run_in_turn
from core.concurrency import ConcurrencyCap
from core.errors import InputError
from core.events import ChainFailed, Event, Step
from core.job_runner import JobRunner
from core.kinds import FailureKind
from core.leader_writes import LeaderWrites
from core.llm.types import LLMClient
from core.metrics import Metrics
from core.places import Places, PlaceSettings, PlaceUsage
from core.recorder import Recorder, relabelled
from core.relay import Relay
from core.request import ThinkRequest
from core.state.batch import Batch
from core.state.cache import ResultCache, as_cached
from core.state.dedupe import Deduper
from core.state.jobs import Job, JobQueue
from core.state.messages import MessageIndex
from core.state.records import ChainRecord, ChainRecords
from core.state.singleflight import SingleFlight
from core.state.stops import StopChannel, StopResult
from core.strategies.base import ChainContext, Strategy
from core.validation import clean_question

__all__ = ["ThinkService"]

log = logging.getLogger(__name__)

_CANCELLED = "Stopped at the asker's request."


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
        jobs: JobQueue | None = None,
        places: Places | None = None,
    ) -> None:
        """``jobs``: hand every chain to the workers on this queue (``THINKBOT_ROLE=gateway``) instead of running it
        here; a worker's service runs them with :meth:`run_job`. ``places``: each server's or workspace's own
        settings over these defaults (none: the defaults everywhere)."""
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
        self._metrics = metrics
        self._stops = stops
        self._jobs = jobs
        self._places = places or Places(
            store=None, default_model=config.model, allowed_models=(), strategies=tuple(strategies), budget_cap=0
        )
        # The chain itself, run by whichever asker (or worker) leads the flight; its writes go with the flight's.
        self._run = partial(run_in_turn, cap=cap)
        self._running: dict[str, asyncio.Task[Any]] = {}
        self._job_runner = JobRunner(
            llm=llm,
            config=config,
            strategies=self._strategies,
            lead=self._run,
            admission=admission,
            cache=cache,
            flights=flights,
            records=records,
            dedupe=dedupe,
            running=self._running,
        )

    @property
    def strategy_names(self) -> tuple[str, ...]:
        return tuple(self._strategies)

    def think(self, request: ThinkRequest) -> AsyncGenerator[Event, None]:
        """The events of ``request``, each shown to the metrics (when given) as it is yielded."""
        events = self._think(request)
        return events if self._metrics is None else self._metrics.observed(events)

    async def _think(self, request: ThinkRequest) -> AsyncGenerator[Event, None]:
        chain_id = uuid.uuid4().hex[:16]
        place = await self._places.get(request.place)
        refusal = self._places.refusal(place, request, chain_id)
        if refusal is not None:
            yield refusal
            return
        try:
            question, strategy = self._check(request, place)
        except InputError as exc:
            yield ChainFailed(chain_id=chain_id, kind=exc.kind, message=exc.user_message)
            return
        model = request.model or self._places.model(place)
        config = dataclasses.replace(self._config, model=model or self._config.model)
        key = answer_key(question, strategy.name, config, request.history)
        base = ChainRecord(
            chain_id=chain_id,
            question=question,
            asker=request.user,
            place=request.place,
            strategy=strategy.name,
            model=config.model,
        )
        # One round trip admits the request: dedupe, limits, budget, cache and (unless this process already runs
        # the question) the single-flight lease.
        reservation = self._flights.reserve(key)
        try:
            verdict = await self._admission.admit(
                record=base,
                delivery_key=request.delivery_key,
                cache_key=None if request.fresh else key,
                flight=key if reservation else None,
                daily_tokens=self._places.daily_tokens(place),
                limited=request.limited,
            )
            if verdict.refusal is not None:
                yield verdict.refusal
                return
            if verdict.claim is None and reservation:
                self._flights.unreserve(key, reservation)
            answer = self._answer(request, strategy, config, key, base, verdict)
            async with contextlib.aclosing(answer) as events:
                async for event in events:
                    yield event
        finally:
            if reservation:
                self._flights.unreserve(key, reservation)

    def cancel(self, chain_id: str) -> bool:
        """Stop ``chain_id`` if it is running in this process; its ``think`` ends with a ``cancelled`` failure."""
        task = self._running.get(chain_id)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    async def stop(self, chain_id: str) -> StopResult:
        """Stop ``chain_id`` wherever it runs: here, or (through the stop channel, when there is one) in the process
        running it, which ends it as :meth:`cancel` does. A gateway following a chain a worker runs stops both."""
        if self._jobs is not None and self._stops is not None and chain_id in self._running:
            remote = await self._stops.request(chain_id)  # the worker's chain: it ends its stream as stopped
            return "stopped" if self.cancel(chain_id) or remote == "stopped" else remote
        if self.cancel(chain_id):
            return "stopped"
        if self._stops is None:
            return "not_running"
        return await self._stops.request(chain_id)

    async def place_settings(self, place: str) -> PlaceSettings:
        """``place``'s own settings (its defaults when it has none)."""
        return await self._places.get(place)

    async def change_place_settings(self, place: str, settings: PlaceSettings, *, by: str) -> PlaceSettings:
        """Store ``place``'s settings after checking them (``InputError`` saying what is wrong); every process
        uses them from the next question on."""
        return await self._places.change(place, settings, by=by)

    async def usage(self, place: str) -> PlaceUsage:
        """``place``'s day so far (UTC): tokens against its budget, questions, cache hits, strategies used."""
        settings = await self._places.get(place)
        return await self._admission.usage(place, daily_tokens=self._places.daily_tokens(settings))

    @property
    def allowed_models(self) -> tuple[str, ...]:
        """The models a server or workspace may choose, the default first."""
        return self._places.allowed_models

    def _check(self, request: ThinkRequest, place: PlaceSettings) -> tuple[str, Strategy]:
        self._places.check_model(request)
        name = request.strategy or self._places.strategy(place) or self._default
        if name not in self._strategies:
            known = ", ".join(self._strategies)
            raise InputError(f"Unknown strategy {name!r}; choose one of: {known}.")
        return clean_question(request.question, max_chars=self._config.max_question_chars), self._strategies[name]

    async def _answer(
        self,
        request: ThinkRequest,
        strategy: Strategy,
        config: ChainConfig,
        key: str,
        base: ChainRecord,
        verdict: Verdict,
    ) -> AsyncGenerator[Event, None]:
        """The admitted request's events; at the end, what is left of its record and its delivery marked done
        (released if it was stopped, so a redelivery runs it), in one round trip."""
        chain_id, lease = base.chain_id, verdict.lease
        recorder = Recorder(records=self._records, base=base)
        sink = LeaderWrites(
            recorder=recorder,
            records=self._records,
            cache=self._cache,
            cache_key=key,
            admission=self._admission,
            dedupe=self._dedupe,
            lease=lease,
        )
        finished = False

        def delivery(batch: Batch) -> None:
            if lease is not None and not sink.ended:
                (self._dedupe.done_into if finished else self._dedupe.release_into)(batch, lease)

        try:
            if verdict.cached:
                for event in as_cached(verdict.cached, chain_id=chain_id):
                    recorder.see(event)
                    yield event
            else:
                ctx = ChainContext(
                    chain_id=chain_id, question=base.question, history=request.history, llm=self._llm, config=config
                )
                produce = partial(self._run, strategy, ctx)
                hand_off = hand_off_to(
                    self._jobs, record=base, key=key, history=request.history, deadline=config.deadline
                )
                flight = self._flights.run(key, produce, claim=verdict.claim, sink=sink, hand_off=hand_off)
                async with contextlib.aclosing(self._follow(flight, chain_id)) as events:
                    async for event in events:
                        recorder.see(event)
                        yield event
            finished = True
        finally:
            await recorder.close(delivery)

    async def _follow(self, events: AsyncGenerator[Event, None], chain_id: str) -> AsyncGenerator[Event, None]:
        """Relay ``events`` through a task that :meth:`cancel` can stop, relabelled for this request."""
        relay = Relay(relabelled(events, chain_id), name=f"follow-{chain_id}")
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

    async def run_job(self, job: Job) -> None:
        """Run a chain a gateway handed off (``thinkbot worker``)."""
        await self._job_runner.run(job.payload)

    async def give_up_job(self, job: Job) -> None:
        """End a chain that stopped on every worker that tried it, with a failure its gateway shows."""
        await self._job_runner.give_up(job.payload)
