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
from collections.abc import AsyncGenerator, Callable
from functools import partial

from redis.asyncio import Redis

from core.events import Event
from core.kinds import FailureKind
from core.state.batch import Batch
from core.state.fanout import Fanout
from core.state.flight_follow import (
    CANCELLED_MESSAGE,
    LOST_MESSAGE,
    HandOff,
    Produce,
    failure,
    follow,
    guarded,
)
from core.state.flight_writer import FlightWriter, Sink
from core.state.flights import Claim, FlightStore
from core.state.guard import RedisGuard, StoreUnavailableError
from core.state.keys import Keys
from core.state.stream_reader import StreamReader

__all__ = ["CANCELLED", "FLIGHT_LOST", "HandOff", "SingleFlight", "Sink"]

log = logging.getLogger(__name__)

FLIGHT_LOST = FailureKind.FLIGHT_LOST
CANCELLED = FailureKind.CANCELLED


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
        # relays the leader's stream: see :func:`~core.state.flight_follow.follow`
        self._follow = partial(follow, store=self._store, reader=self._reader, guard=guard, block=block)
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
                        if not await self._follow(
                            digest=digest, token=token, fanout=fanout, patience=hand_off.patience
                        ):
                            fanout.push(failure(fanout.items, FLIGHT_LOST, LOST_MESSAGE))
                        return
                    await self._lead(digest, token, produce, fanout, sink)
                    return
                assert token is not None
                if await self._follow(digest=digest, token=token, fanout=fanout):
                    return
            fanout.push(failure(fanout.items, FLIGHT_LOST, LOST_MESSAGE))
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
        writer = None
        if token:
            writer = FlightWriter(
                store=self._store,
                batch=partial(Batch, self._redis),
                guard=self._guard,
                window=self._batch_window,
                digest=digest,
                token=token,
                sink=sink,
                publish=publish,
                renew_every=self._lease_ttl / 3,
            )
        try:
            async with contextlib.aclosing(guarded(produce, fanout)) as events:
                async for event in events:
                    fanout.push(event)
                    if writer:
                        writer.add(event)
        except asyncio.CancelledError:
            # tell followers in other processes, so they end now instead of waiting for the lease
            if writer and not (quiet and quiet()):
                writer.add(failure(fanout.items, CANCELLED, CANCELLED_MESSAGE))
            raise
        finally:
            if writer:
                await writer.close()

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
