"""The worker's side of a chain handed off by a gateway: run it as the gateway's request would have, or give it up.

A worker leads the chain's flight with the gateway's token, so every event goes to the stream the gateway reads,
and the chain's writes (record steps, then the cache, budget and record at the end) go with them as on a gateway
(:class:`~core.leader_writes.LeaderWrites`). A job taken over from a worker that died reads what that worker
showed first: the chain goes on from those steps where its strategy can (g1), or starts over without showing them
again; either way the gateway shows each step once and one answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import Any

from core.admission import Admission
from core.chain_config import ChainConfig
from core.chain_job import ChainJob
from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step, StepDelta
from core.kinds import FailureKind
from core.leader_writes import LeaderWrites
from core.llm.types import LLMClient
from core.recorder import Recorder
from core.state.cache import ResultCache
from core.state.dedupe import Deduper
from core.state.records import ChainRecord, ChainRecords
from core.state.singleflight import SingleFlight
from core.strategies.base import ChainContext, Strategy

__all__ = ["JobRunner"]

log = logging.getLogger(__name__)

_GIVEN_UP = "This question's chain stopped on every worker that tried it. Please ask again."

Lead = Callable[[Strategy, ChainContext], AsyncGenerator[Event, None]]


class JobRunner:
    """``await runner.run(payload)``, ``await runner.give_up(payload)``; ``running`` is shared with the service, so
    a stop (local or from another process) cancels a job's chain as it does a request's."""

    def __init__(
        self,
        *,
        llm: LLMClient,
        config: ChainConfig,
        strategies: Mapping[str, Strategy],
        lead: Lead,
        admission: Admission,
        cache: ResultCache,
        flights: SingleFlight,
        records: ChainRecords,
        dedupe: Deduper,
        running: dict[str, asyncio.Task[Any]],
    ) -> None:
        self._llm = llm
        self._config = config
        self._strategies = strategies
        self._lead = lead
        self._admission = admission
        self._cache = cache
        self._flights = flights
        self._records = records
        self._dedupe = dedupe
        self._running = running

    async def run(self, payload: dict[str, Any]) -> Event | None:
        """Run the job's chain to its end (or its stop); its terminal event, ``None`` for an unreadable job."""
        job = _read(payload)
        if job is None:
            return None
        shown = await self._flights.shown(job.flight, job.token)
        if any(isinstance(e, FinalAnswer | ChainFailed) for e in shown):
            return shown[-1]  # the worker before us finished it and died before saying so
        strategy = self._strategies.get(job.strategy)
        if strategy is None:
            return await self._end(job, shown, f"This bot's workers do not know the strategy {job.strategy!r}.")
        steps = tuple(e for e in shown if isinstance(e, Step))
        config = dataclasses.replace(self._config, model=job.model)
        ctx = ChainContext(
            chain_id=job.chain_id,
            question=job.question,
            history=job.history,
            llm=self._llm,
            config=config,
            resume=steps,
        )
        produce = lambda: _after(self._lead(strategy, ctx), shown)  # noqa: E731
        quiet = asyncio.Event()
        sink = self._sink(job, shown)
        task = asyncio.create_task(self._flights.lead(job.flight, job.token, produce, sink, quiet=quiet.is_set))
        self._running[job.chain_id] = task
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled() and not _cancelling():
                return None  # stopped by a stop: the flight told the gateway
            # This worker lost the job (another claimed it) or drains: stop without a word, the next one goes on.
            quiet.set()
            task.cancel()
            await asyncio.wait([task])
            raise
        finally:
            if self._running.get(job.chain_id) is task:
                del self._running[job.chain_id]

    async def give_up(self, payload: dict[str, Any]) -> None:
        """End the job's chain with a failure its gateway shows: it was taken over too many times."""
        job = _read(payload)
        if job is not None:
            shown = await self._flights.shown(job.flight, job.token)
            if not any(isinstance(e, FinalAnswer | ChainFailed) for e in shown):
                await self._end(job, shown, _GIVEN_UP)

    async def _end(self, job: ChainJob, shown: list[Event], message: str) -> Event | None:
        steps = tuple(e for e in shown if isinstance(e, Step))
        failure = ChainFailed(chain_id=job.chain_id, kind=FailureKind.INTERNAL, message=message, steps=steps)

        async def produce() -> AsyncGenerator[Event, None]:
            yield failure

        return await self._flights.lead(job.flight, job.token, produce, self._sink(job, shown))

    def _sink(self, job: ChainJob, shown: list[Event]) -> LeaderWrites:
        base = ChainRecord(
            chain_id=job.chain_id,
            question=job.question,
            asker=job.asker,
            place=job.place,
            strategy=job.strategy,
            model=job.model,
        )
        return LeaderWrites(
            recorder=Recorder(records=self._records, base=base),
            records=self._records,
            cache=self._cache,
            cache_key=job.cache_key,
            admission=self._admission,
            dedupe=self._dedupe,
            lease=None,  # the gateway holds the delivery, and marks it done when it has shown the end
            earlier=shown,
        )


def _read(payload: dict[str, Any]) -> ChainJob | None:
    try:
        return ChainJob.from_payload(payload)
    except ValueError as exc:
        log.warning("Dropping an unreadable chain job (%s)", exc)
        return None


def _cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _after(events: AsyncGenerator[Event, None], shown: list[Event]) -> AsyncGenerator[Event, None]:
    """``events`` without what ``shown`` already holds: a second start, and steps numbered up to those shown."""
    done = max((e.index for e in shown if isinstance(e, Step)), default=0)
    started = any(isinstance(e, ChainStarted) for e in shown)
    async with contextlib.aclosing(events):
        async for event in events:
            if isinstance(event, ChainStarted) and started:
                continue
            if isinstance(event, Step | StepDelta) and event.index <= done:
                continue
            yield event
