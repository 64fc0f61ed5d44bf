"""Keeps a request's chain record in step with its events, and relabels shared events for the request."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncGenerator, Callable

from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step
from core.llm.types import Usage
from core.state.batch import Batch
from core.state.records import ChainRecord, ChainRecords, ChainStatus

__all__ = ["Recorder", "folded", "relabel", "relabelled"]


def relabel(event: Event, chain_id: str) -> Event:
    """``event`` as this request's: events of a shared (single-flight) chain carry the leader's id."""
    if event.chain_id == chain_id:
        return event
    if isinstance(event, ChainFailed):
        steps = tuple(dataclasses.replace(s, chain_id=chain_id) for s in event.steps)
        return dataclasses.replace(event, chain_id=chain_id, steps=steps)
    return dataclasses.replace(event, chain_id=chain_id)


async def relabelled(events: AsyncGenerator[Event, None], chain_id: str) -> AsyncGenerator[Event, None]:
    """``events`` each as this request's (:func:`relabel`)."""
    async with contextlib.aclosing(events):
        async for event in events:
            yield relabel(event, chain_id)


def folded(record: ChainRecord, event: Event) -> ChainRecord:
    """``record`` after ``event`` (the same record for events a record does not keep)."""
    if isinstance(event, ChainStarted):
        status: ChainStatus = "cached" if event.cached else "running"
        return dataclasses.replace(record, strategy=event.strategy, model=event.model, status=status)
    if isinstance(event, Step):
        return dataclasses.replace(record, steps=(*record.steps, event), usage=record.usage + event.usage)
    if isinstance(event, FinalAnswer):
        done: ChainStatus = "cached" if event.cached else "answered"
        return dataclasses.replace(record, status=done, answer=event.text, usage=event.usage)
    if isinstance(event, ChainFailed):
        steps = event.steps or record.steps
        usage = sum((s.usage for s in steps), Usage())
        return dataclasses.replace(record, status="failed", error=event.message, steps=steps, usage=usage)
    return record


class Recorder:
    """Keeps a request's record up to date in Redis without holding up the chain.

    The record's head is written when the request is admitted (:mod:`core.state.intake`). ``see(event)`` updates
    the record in memory; a writer task appends new steps in the background, at most once per ``interval`` seconds,
    so steps that come faster than that go together. :meth:`close` writes what is left and the final head in one
    round trip, with whatever else the caller adds to that batch. A cache replay is written once, at the close.

    When the request leads its chain, the chain's own writes carry its steps and its end (the flight calls
    :meth:`take`, see :class:`~core.state.singleflight.Sink`), and the recorder writes nothing.
    """

    def __init__(self, *, records: ChainRecords, base: ChainRecord, interval: float = 0.25) -> None:
        self._records = records
        self.record = base
        self._pending: list[Step] = []
        self._replay = False
        self._taken = False
        self._ended = False
        self._wake = asyncio.Event()
        self._closing = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._interval = interval

    def take(self) -> None:
        """The chain's writes keep this record from now on."""
        self._taken = True
        self._pending.clear()

    def ended(self) -> None:
        """The chain's writes also wrote the record's final head."""
        self._ended = True

    def see(self, event: Event) -> None:
        self.record = folded(self.record, event)
        if getattr(event, "cached", False):
            self._replay = True
        elif isinstance(event, Step) and not self._taken:
            self._pending.append(event)
            if self._writer is None:
                self._writer = asyncio.create_task(self._write(), name=f"record-{self.record.chain_id}")
            self._wake.set()

    async def close(self, also: Callable[[Batch], None] | None = None) -> None:
        """Stop the writer; write the rest of the record (unless the chain did) and ``also``'s part, together."""
        self._closing.set()
        if self._writer is not None:
            self._wake.set()
            await self._writer
        batch = self._records.batch()
        if self._replay:
            self._records.save_into(batch, self.record)
        else:
            if not self._taken:
                self._records.append_into(batch, self.record.chain_id, self._pending)
            if not self._ended:
                self._records.head_into(batch, self.record)
        self._pending = []
        if also is not None:
            also(batch)
        await self._records.send(batch)

    async def _write(self) -> None:
        while not self._closing.is_set():
            await self._wake.wait()
            self._wake.clear()
            if self._closing.is_set():
                return  # what is pending goes with the close
            steps, self._pending = self._pending, []
            batch = self._records.batch()
            self._records.append_into(batch, self.record.chain_id, steps)
            await self._records.send(batch)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._interval)
