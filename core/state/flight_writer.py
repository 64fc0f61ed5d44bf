"""The leader's writes to Redis: its events batched into one round trip each, with the leading asker's own
writes (a :class:`Sink`), the flight's stream only while someone follows, and the end with the last events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol

from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step, StepDelta
from core.state.batch import Batch
from core.state.flights import WATCHED, FlightStore
from core.state.guard import RedisGuard, StoreUnavailableError

__all__ = ["FlightWriter", "Sink"]

log = logging.getLogger(__name__)


class Sink(Protocol):
    """Where the leading asker's own writes go: the flight adds them to each batch it sends, so a step costs one round
    trip in all. ``take()`` is called once, before any write, when the flight leads with this sink (not when it
    follows): from then on its owner leaves those writes to the flight."""

    def take(self) -> None: ...

    def write_into(self, batch: Batch, events: Sequence[Event]) -> None: ...


class FlightWriter:
    """The leader's writes: whatever queued up within ``batch_window`` of the first event goes in one round trip,
    with the sink's part, and the end in the same round trip as the last events.

    Until someone watches (unless told to ``publish`` from the start), each batch with a step only asks whether
    anyone does; the batch that learns it also publishes every event so far. Batches without a step, while nobody
    watches, send nothing.
    """

    def __init__(
        self,
        *,
        store: FlightStore,
        batch: Callable[[], Batch],
        guard: RedisGuard,
        window: float,
        digest: str,
        token: str,
        sink: Sink | None,
        publish: bool,
        renew_every: float,
    ) -> None:
        self._store = store
        self._batch = batch
        self._guard = guard
        self._window = window
        self._digest = digest
        self._token = token
        self._sink = sink
        self._published = 0 if publish else -1  # events on the stream; -1: not publishing
        self._outbox: asyncio.Queue[object] = asyncio.Queue()
        self._ending = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name=f"flight-writer-{digest[:12]}")
        self._renewer = asyncio.create_task(self._renew(renew_every), name=f"flight-lease-{digest[:12]}")

    def add(self, event: Event) -> None:
        self._outbox.put_nowait(event)

    def watched(self) -> None:
        """Someone follows: publish what was not yet, at the next batch (now, if the chain is between events)."""
        if self._published < 0:
            self._published = 0
            self._outbox.put_nowait(_WAKE)

    async def close(self) -> None:
        self._renewer.cancel()
        self._outbox.put_nowait(None)
        self._ending.set()
        await asyncio.wait([self._task])

    async def _renew(self, every: float) -> None:
        """Keep the lease while the chain runs; an idle leader learns here that someone now watches."""
        while True:
            await asyncio.sleep(every)
            with contextlib.suppress(StoreUnavailableError):
                renewed = await self._guard.call(partial(self._store.renew, self._digest, self._token))
                if not renewed:
                    log.warning("Lost the single-flight lease for %s; followers may take over", self._digest[:12])
                    return
                if renewed == WATCHED:
                    self.watched()

    async def _run(self) -> None:
        seen: list[Event] = []
        done = False
        while not done:
            batch = [await self._outbox.get()]
            if batch[0] is not None and not self._ending.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._ending.wait(), self._window)
            while not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            done = None in batch
            events = [e for e in batch if isinstance(e, _EVENT_TYPES)]
            seen.extend(events)
            await self._guard.run(partial(self._send, seen, events, done), None)

    async def _send(self, seen: list[Event], events: list[Event], last: bool) -> None:
        batch = self._batch()
        if self._sink is not None:
            self._sink.write_into(batch, events)
        asked = None
        if self._published >= 0:
            self._store.publish_into(batch, self._digest, self._token, seen[self._published :])
            self._published = len(seen)
        elif any(isinstance(e, Step) for e in events) and not last:
            asked = self._store.watched_into(batch, self._digest)
        ended = (
            self._store.finish_into(batch, self._digest, self._token, published=self._published >= 0) if last else None
        )
        replies = await batch.send()
        if (asked is not None and replies[asked]) or (ended is not None and replies[ended] == WATCHED):
            self._published = len(seen)
            again = self._batch()
            self._store.publish_into(again, self._digest, self._token, seen)
            if last:
                self._store.finish_into(again, self._digest, self._token, published=True)
            await again.send()


_WAKE = object()
_EVENT_TYPES = (ChainQueued, ChainStarted, StepDelta, Step, FinalAnswer, ChainFailed)
