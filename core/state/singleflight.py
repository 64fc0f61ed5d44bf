"""Single-flight: identical questions arriving while one runs, in any process, run ONE chain.

The first asker anywhere takes the leader lease and runs the chain. Askers in other processes mark the flight
watched and read its Redis stream from the start with XREAD BLOCK; the leader, seeing the mark at its next write
or lease renewal, appends everything so far to the stream and from then on each event as it happens. Nobody
watching, the stream is never written. The leading asker's record gets its steps from the flight's writes
(a :class:`Sink`), in the same round trip, and so do the chain's end writes.

Inside one process all askers of one question share a single leader or reader (:class:`~core.state.fanout.Fanout`),
so a hundred identical questions cost one Redis reader, not a hundred.

If the leader dies (its lease expires unrenewed), a follower that has seen nothing yet takes over and runs the
chain itself; one that has already shown steps ends with a :class:`ChainFailed` of kind ``flight_lost``. While
Redis is down every process simply runs its own chain (still one per question per process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from redis.asyncio import Redis

from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step, StepDelta
from core.kinds import FailureKind
from core.state.batch import Batch
from core.state.fanout import Fanout
from core.state.flights import WATCHED, Claim, FlightStore
from core.state.guard import RedisGuard, StoreBusyError, StoreUnavailableError
from core.state.keys import Keys
from core.state.stream_reader import StreamReader

__all__ = ["CANCELLED", "FLIGHT_LOST", "HandOff", "SingleFlight", "Sink"]

log = logging.getLogger(__name__)

FLIGHT_LOST = FailureKind.FLIGHT_LOST
CANCELLED = FailureKind.CANCELLED
_CANCELLED_MESSAGE = "The chain was stopped before it finished; please ask again."
_LOST_MESSAGE = "The identical question this one was following stopped before it finished; please ask again."
_BROKEN_MESSAGE = "The chain stopped unexpectedly; please ask again."

Produce = Callable[[], AsyncIterator[Event]]


@dataclass(frozen=True, slots=True)
class HandOff:
    """How a gateway hands a chain to the workers: ``send(token)`` enqueues it; ``patience``: how long its stream may
    stay silent (a step's time, or a dead worker's job waiting to be taken over) before the chain counts as lost."""

    send: Callable[[str], Awaitable[object]]
    patience: float


class Sink(Protocol):
    """Where the leading asker's own writes go: the flight adds them to each batch it sends, so a step costs one round
    trip in all. ``take()`` is called once, before any write, when the flight leads with this sink (not when it
    follows): from then on its owner leaves those writes to the flight."""

    def take(self) -> None: ...

    def write_into(self, batch: Batch, events: Sequence[Event]) -> None: ...


def _terminal(event: Event) -> bool:
    return isinstance(event, FinalAnswer | ChainFailed)


def _failure(seen: tuple[Event, ...], kind: FailureKind, message: str) -> ChainFailed:
    chain_id = next((e.chain_id for e in seen if isinstance(e, ChainStarted)), "")
    return ChainFailed(chain_id, kind, message, tuple(e for e in seen if isinstance(e, Step)))


class SingleFlight:
    """``async for event in flights.run(digest, produce)``; ``produce`` starts the chain and is called at most once
    per flight, in whichever process leads. Call :meth:`aclose` on shutdown.

    ``batch_window``: how long the leader gathers events before publishing them in one round trip;
    ``lease_ttl``: how long a silent leader is trusted (renewed every third of it, which is also when an idle
    leader notices a new watcher); ``block``: how long a follower waits on the stream before checking the lease
    (shorter than the socket timeout); ``stream_ttl``: how long a finished flight's stream stays readable.

    To take the lease in a round trip of its own (:mod:`core.state.intake`), an asker first reserves the question
    in this process (:meth:`reserve`), then passes what it got to :meth:`run` as ``claim`` (or calls :meth:`unreserve`);
    other local askers of the question wait for that and then join.
    """

    def __init__(
        self,
        *,
        redis: Redis,
        keys: Keys,
        guard: RedisGuard,
        lease_ttl: float = 15.0,
        stream_ttl: float = 120.0,
        block: float = 1.0,
        takeovers: int = 2,
        batch_window: float = 0.02,
    ) -> None:
        socket_timeout = redis.connection_pool.connection_kwargs.get("socket_timeout")
        if socket_timeout is not None and block >= socket_timeout:
            raise ValueError(f"block ({block} s) must be shorter than the Redis socket timeout ({socket_timeout} s)")
        self._store = FlightStore(redis=redis, keys=keys, lease_ttl=lease_ttl, stream_ttl=stream_ttl, block=block)
        self._reader = StreamReader(redis=redis, guard=guard, block=block, watch_ms=self._store.lease_ms)
        self._block = block
        self._guard = guard
        self._lease_ttl = lease_ttl
        self._takeovers = takeovers
        self._batch_window = batch_window
        self._redis = redis
        self._local: dict[str, Fanout[Event]] = {}
        self._reserved: dict[str, asyncio.Event] = {}
        self._drivers: dict[str, asyncio.Task[None]] = {}
        self._followers: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def store(self) -> FlightStore:
        return self._store

    def reserve(self, digest: str) -> asyncio.Event | None:
        """A reservation when no flight for ``digest`` runs or is being set up here: the caller takes the lease
        (then passes the outcome to :meth:`run`, or calls :meth:`unreserve`). ``None``: just :meth:`run` and join."""
        if digest in self._local or digest in self._reserved:
            return None
        reservation = self._reserved[digest] = asyncio.Event()
        return reservation

    def unreserve(self, digest: str, reservation: asyncio.Event | None = None) -> None:
        """End ``reservation`` (any for ``digest`` if not given), if it still holds; local askers waiting go on."""
        waiting = self._reserved.get(digest)
        if waiting is not None and (reservation is None or waiting is reservation):
            del self._reserved[digest]
            waiting.set()

    async def run(
        self,
        digest: str,
        produce: Produce,
        *,
        claim: Claim | None = None,
        sink: Sink | None = None,
        hand_off: HandOff | None = None,
    ) -> AsyncGenerator[Event, None]:
        """Every event of the one chain for ``digest``, from its start, ending at its terminal event.

        ``claim``: the lease as the caller took it after :meth:`reserve`; ``sink``: the caller's writes, should
        this call start the chain here. ``hand_off``: when leading, have the chain run elsewhere (a worker, which
        leads with our token: :meth:`lead`) and follow its stream, however long it stays silent up to the hand-off's
        ``patience``; ``produce`` then runs here only if the hand-off fails (Redis is unreachable).

        When the last asker in this process stops following before the end (it was cancelled or closed the
        iterator), the flight is cancelled too: its LLM request stops, and followers elsewhere get a
        ``cancelled`` failure instead of waiting.
        """
        if claim is None:
            while (waiting := self._reserved.get(digest)) is not None:
                await waiting.wait()
        fanout = self._local.get(digest)
        if fanout is None:
            fanout = self._local[digest] = Fanout()
            driving = self._drive(digest, produce, fanout, claim, sink, hand_off)
            task = asyncio.create_task(driving, name=f"flight-{digest[:12]}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            self._drivers[digest] = task
        if claim is not None:
            self.unreserve(digest)
        self._followers[digest] = self._followers.get(digest, 0) + 1
        finished = False
        try:
            async for event in fanout.follow():
                yield event
            finished = True
        finally:
            self._followers[digest] -= 1
            if not self._followers[digest]:
                del self._followers[digest]
                driver = self._drivers.get(digest)
                if not finished and driver is not None and not driver.done():
                    driver.cancel()
                    await asyncio.wait([driver])

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._reader.aclose()

    async def _drive(
        self,
        digest: str,
        produce: Produce,
        fanout: Fanout[Event],
        claim: Claim | None,
        sink: Sink | None,
        hand_off: HandOff | None,
    ) -> None:
        try:
            for _ in range(self._takeovers + 1):
                if claim is not None:
                    lead, token, claim = claim.lead, claim.token, None
                else:
                    try:
                        lead, token = await self._guard.call(partial(self._store.acquire, digest))
                    except StoreUnavailableError:
                        lead, token = True, None
                if token is None and not lead:
                    continue
                if lead:
                    if sink is not None:
                        sink.take()
                    if hand_off is not None and token is not None and await self._handed(hand_off, token):
                        if not await self._follow(digest, token, fanout, patience=hand_off.patience):
                            fanout.push(_failure(fanout.items, FLIGHT_LOST, _LOST_MESSAGE))
                        return
                    await self._lead(digest, token, produce, fanout, sink)
                    return
                assert token is not None
                if await self._follow(digest, token, fanout):
                    return
            fanout.push(_failure(fanout.items, FLIGHT_LOST, _LOST_MESSAGE))
        finally:
            fanout.close()
            if self._local.get(digest) is fanout:
                del self._local[digest]
                self._drivers.pop(digest, None)

    async def _lead(
        self,
        digest: str,
        token: str | None,
        produce: Produce,
        fanout: Fanout[Event],
        sink: Sink | None,
        *,
        publish: bool = False,
        quiet: Callable[[], bool] | None = None,
    ) -> None:
        """Run the chain; ``token`` of ``None`` means Redis is down and nobody else will follow. ``quiet()`` true
        when it is cancelled: end without telling followers (another leader goes on with the same stream).

        Events reach local askers at once and Redis through a writer task, in order, so Redis round trips never
        hold up the chain; everything is written before the lease is released.
        """
        writer = _Writer(self, digest, token, sink, publish=publish) if token else None
        renewer = asyncio.create_task(self._renew(digest, token, writer)) if token and writer else None
        try:
            async with contextlib.aclosing(self._guarded(produce, fanout)) as events:
                async for event in events:
                    fanout.push(event)
                    if writer:
                        writer.add(event)
        except asyncio.CancelledError:
            # tell followers in other processes, so they end now instead of waiting for the lease
            if writer and not (quiet and quiet()):
                writer.add(_failure(fanout.items, CANCELLED, _CANCELLED_MESSAGE))
            raise
        finally:
            if renewer:
                renewer.cancel()
            if writer:
                await writer.close()

    async def _guarded(self, produce: Produce, fanout: Fanout[Event]) -> AsyncGenerator[Event, None]:
        """``produce()``'s events up to the terminal one, or a ChainFailed if it raised or stopped short."""
        chain = produce()
        try:
            async for event in chain:
                yield event
                if _terminal(event):
                    return
        except Exception:
            log.exception("A single-flight chain raised instead of ending with an event")
        finally:
            aclose = getattr(chain, "aclose", None)
            if aclose is not None:
                await aclose()
        yield _failure(fanout.items, FailureKind.INTERNAL, _BROKEN_MESSAGE)

    async def _renew(self, digest: str, token: str, writer: _Writer) -> None:
        while True:
            await asyncio.sleep(self._lease_ttl / 3)
            with contextlib.suppress(StoreUnavailableError):
                renewed = await self._guard.call(partial(self._store.renew, digest, token))
                if not renewed:
                    log.warning("Lost the single-flight lease for %s; followers may take over", digest[:12])
                    return
                if renewed == WATCHED:
                    writer.watched()

    async def _handed(self, hand_off: HandOff, token: str) -> bool:
        try:
            await self._guard.call(partial(hand_off.send, token))
        except StoreUnavailableError:
            return False  # Redis went away: run it here
        return True

    async def lead(
        self,
        digest: str,
        token: str,
        produce: Produce,
        sink: Sink | None = None,
        *,
        quiet: Callable[[], bool] | None = None,
    ) -> Event | None:
        """Run ``produce`` as the leader of ``digest``'s flight with ``token``, a lease taken elsewhere (a gateway's,
        for a worker), publishing every event; its terminal event. Nobody here follows it, so it is not shared.
        ``quiet``: see :meth:`_lead`."""
        fanout: Fanout[Event] = Fanout()
        if sink is not None:
            sink.take()
        try:
            await self._lead(digest, token, produce, fanout, sink, publish=True, quiet=quiet)
        finally:
            fanout.close()
        return fanout.items[-1] if fanout.items else None

    async def shown(self, digest: str, token: str) -> list[Event]:
        """What ``digest``'s flight with ``token`` has published so far (what a worker that died showed)."""
        try:
            entries = await self._guard.call(partial(self._store.read, digest, token, "0-0", wait=False))
        except StoreUnavailableError:
            return []
        return [event for _id, event in entries]

    async def _follow(self, digest: str, token: str, fanout: Fanout[Event], *, patience: float | None = None) -> bool:
        """Relay the leader's stream; ``False`` when it was lost before anything arrived (the caller may lead).

        ``patience``: wait for the stream that long after its last event whatever the lease says (a chain handed
        off to a worker, which may die and be taken over by another, whose events go on in the same stream: a step
        or a start shown already is not shown again); by default, only while the lease is held. The waiting reads
        go through the process's one :class:`StreamReader`, so many follows hold one connection."""
        after = "0-0"
        heard = time.monotonic()
        shown = 0
        stream, watch = self._store.stream_key(digest, token), self._store.watch_key(digest)
        while True:
            try:
                items = await self._reader.read(stream, after, watch=watch, wait_for=self._block)
                entries = self._store.events(items)
                if entries:
                    heard = time.monotonic()
                elif patience is not None:
                    if time.monotonic() - heard < patience:
                        continue
                    break
                else:
                    if await self._guard.call(partial(self._store.holder, digest)) == token:
                        continue
                    # The leader is gone; it may have ended just now, so read once more before giving up.
                    entries = await self._guard.call(partial(self._store.read, digest, token, after, wait=False))
                    if not entries:
                        break
            except StoreBusyError:
                await asyncio.sleep(self._block / 4)  # back-pressure, not a lost leader: read again soon
                continue
            except StoreUnavailableError:
                break
            for entry_id, event in entries:
                after = entry_id
                if patience is not None:
                    if _repeated(event, fanout, shown):
                        continue
                    if isinstance(event, Step):
                        shown = event.index
                fanout.push(event)
                if _terminal(event):
                    return True
        if not fanout.items:
            return False
        fanout.push(_failure(fanout.items, FLIGHT_LOST, _LOST_MESSAGE))
        return True


def _repeated(event: Event, fanout: Fanout[Event], shown: int) -> bool:
    """An event a taken-over chain's stream holds twice: a second start, or a step (or its text) up to the last one
    shown (a worker that lost its job may still write one after the next worker began)."""
    if isinstance(event, ChainStarted):
        return any(isinstance(e, ChainStarted) for e in fanout.items)
    return isinstance(event, Step | StepDelta) and event.index <= shown


class _Writer:
    """The leader's writes: whatever queued up within ``batch_window`` of the first event goes in one round trip,
    with the sink's part, and the end in the same round trip as the last events.

    Until someone watches (unless told to ``publish`` from the start), each batch with a step only asks whether
    anyone does; the batch that learns it also publishes every event so far. Batches without a step, while nobody
    watches, send nothing.
    """

    def __init__(self, flight: SingleFlight, digest: str, token: str, sink: Sink | None, *, publish: bool) -> None:
        self._flight = flight
        self._store = flight.store
        self._digest = digest
        self._token = token
        self._sink = sink
        self._published = 0 if publish else -1  # events on the stream; -1: not publishing
        self._outbox: asyncio.Queue[object] = asyncio.Queue()
        self._ending = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name=f"flight-writer-{digest[:12]}")

    def add(self, event: Event) -> None:
        self._outbox.put_nowait(event)

    def watched(self) -> None:
        """Someone follows: publish what was not yet, at the next batch (now, if the chain is between events)."""
        if self._published < 0:
            self._published = 0
            self._outbox.put_nowait(_WAKE)

    async def close(self) -> None:
        self._outbox.put_nowait(None)
        self._ending.set()
        await asyncio.wait([self._task])

    async def _run(self) -> None:
        seen: list[Event] = []
        done = False
        while not done:
            batch = [await self._outbox.get()]
            if batch[0] is not None and not self._ending.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._ending.wait(), self._flight._batch_window)
            while not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            done = None in batch
            events = [e for e in batch if isinstance(e, _EVENT_TYPES)]
            seen.extend(events)
            await self._flight._guard.run(partial(self._send, seen, events, done), None)

    async def _send(self, seen: list[Event], events: list[Event], last: bool) -> None:
        batch = Batch(self._flight._redis)
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
            again = Batch(self._flight._redis)
            self._store.publish_into(again, self._digest, self._token, seen)
            if last:
                self._store.finish_into(again, self._digest, self._token, published=True)
            await again.send()


_WAKE = object()
_EVENT_TYPES = (ChainQueued, ChainStarted, StepDelta, Step, FinalAnswer, ChainFailed)
