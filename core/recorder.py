"""Keeps a request's chain record in step with its events, and relabels shared events for the request."""

from __future__ import annotations

import asyncio
import dataclasses

from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step
from core.llm.types import Usage
from core.state.records import ChainRecord, ChainRecords, ChainStatus

__all__ = ["Recorder", "relabel"]


def relabel(event: Event, chain_id: str) -> Event:
    """``event`` as this request's: events of a shared (single-flight) chain carry the leader's id."""
    if event.chain_id == chain_id:
        return event
    if isinstance(event, ChainFailed):
        steps = tuple(dataclasses.replace(s, chain_id=chain_id) for s in event.steps)
        return dataclasses.replace(event, chain_id=chain_id, steps=steps)
    return dataclasses.replace(event, chain_id=chain_id)


class Recorder:
    """Keeps a request's record up to date in Redis without holding up the chain.

    ``see(event)`` updates the record in memory; a writer task saves the latest version in the background, at
    most once per ``interval`` seconds, so steps that come faster than that are saved together. Leaving the
    ``async with`` block saves the final version and waits for it. A cache replay is saved once, at the end.
    """

    def __init__(self, *, records: ChainRecords, base: ChainRecord, interval: float = 0.25) -> None:
        self._records = records
        self.record = base
        self._saved: ChainRecord | None = None
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._interval = interval

    async def __aenter__(self) -> Recorder:
        self._writer = asyncio.create_task(self._write(), name=f"record-{self.record.chain_id}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._writer is not None
        self._writer.cancel()
        await asyncio.wait([self._writer])
        if self._saved is not self.record:
            await self._records.save(self.record)

    def see(self, event: Event) -> None:
        record = self.record
        if isinstance(event, ChainStarted):
            status: ChainStatus = "cached" if event.cached else "running"
            record = dataclasses.replace(record, strategy=event.strategy, model=event.model, status=status)
        elif isinstance(event, Step):
            record = dataclasses.replace(record, steps=(*record.steps, event), usage=record.usage + event.usage)
        elif isinstance(event, FinalAnswer):
            done: ChainStatus = "cached" if event.cached else "answered"
            record = dataclasses.replace(record, status=done, answer=event.text, usage=event.usage)
        elif isinstance(event, ChainFailed):
            steps = event.steps or record.steps
            usage = sum((s.usage for s in steps), Usage())
            record = dataclasses.replace(record, status="failed", error=event.message, steps=steps, usage=usage)
        else:
            return
        self.record = record
        if not getattr(event, "cached", False):
            self._wake.set()

    async def _write(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            record = self.record
            await self._records.save(record)
            self._saved = record
            await asyncio.sleep(self._interval)
