"""Single-flight: identical questions arriving while one runs, in any process, run ONE chain.

The first asker anywhere takes the leader lease and runs the chain; every event it produces is appended to the
flight's Redis stream as it happens. Askers in other processes read that stream from the start with XREAD BLOCK
and so see the same events live. Inside one process all askers of one question share a single leader or reader
(:class:`~core.state.fanout.Fanout`), so a hundred identical questions cost one Redis reader, not a hundred.

If the leader dies (its lease expires unrenewed), a follower that has seen nothing yet takes over and runs the
chain itself; one that has already shown steps ends with a :class:`ChainFailed` of kind ``flight_lost``. While
Redis is down every process simply runs its own chain (still one per question per process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from functools import partial

from redis.asyncio import Redis

from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step
from core.kinds import FailureKind
from core.state.fanout import Fanout
from core.state.flights import FlightStore
from core.state.guard import RedisGuard, StoreUnavailableError
from core.state.keys import Keys

__all__ = ["CANCELLED", "FLIGHT_LOST", "SingleFlight"]

log = logging.getLogger(__name__)

FLIGHT_LOST = FailureKind.FLIGHT_LOST
CANCELLED = FailureKind.CANCELLED
_CANCELLED_MESSAGE = "The chain was stopped before it finished; please ask again."
_LOST_MESSAGE = "The identical question this one was following stopped before it finished; please ask again."
_BROKEN_MESSAGE = "The chain stopped unexpectedly; please ask again."

Produce = Callable[[], AsyncIterator[Event]]


def _terminal(event: Event) -> bool:
    return isinstance(event, FinalAnswer | ChainFailed)


def _failure(seen: tuple[Event, ...], kind: FailureKind, message: str) -> ChainFailed:
    chain_id = next((e.chain_id for e in seen if isinstance(e, ChainStarted)), "")
    return ChainFailed(chain_id, kind, message, tuple(e for e in seen if isinstance(e, Step)))


class SingleFlight:
    """``async for event in flights.run(digest, produce)``; ``produce`` starts the chain and is called at most once
    per flight, in whichever process leads. Call :meth:`aclose` on shutdown.

    ``batch_window``: how long the leader gathers events before publishing them in one round trip;
    ``lease_ttl``: how long a silent leader is trusted (renewed every third of it); ``block``: how long a follower
    waits on the stream before checking the lease (shorter than the socket timeout); ``stream_ttl``: how long a
    finished flight's stream stays readable. A flight runs to its end even if every asker has gone away, so the
    answer still reaches the cache and records.
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
        self._guard = guard
        self._lease_ttl = lease_ttl
        self._takeovers = takeovers
        self._batch_window = batch_window
        self._local: dict[str, Fanout[Event]] = {}
        self._drivers: dict[str, asyncio.Task[None]] = {}
        self._followers: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, digest: str, produce: Produce) -> AsyncGenerator[Event, None]:
        """Every event of the one chain for ``digest``, from its start, ending at its terminal event.

        When the last asker in this process stops following before the end (it was cancelled or closed the
        iterator), the flight is cancelled too: its LLM request stops, and followers elsewhere get a
        ``cancelled`` failure instead of waiting.
        """
        fanout = self._local.get(digest)
        if fanout is None:
            fanout = self._local[digest] = Fanout()
            task = asyncio.create_task(self._drive(digest, produce, fanout), name=f"flight-{digest[:12]}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            self._drivers[digest] = task
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

    async def _drive(self, digest: str, produce: Produce, fanout: Fanout[Event]) -> None:
        try:
            for _ in range(self._takeovers + 1):
                try:
                    lead, token = await self._guard.call(partial(self._store.acquire, digest))
                except StoreUnavailableError:
                    lead, token = True, None
                if token is None and not lead:
                    continue
                if lead:
                    await self._lead(digest, token, produce, fanout)
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

    async def _lead(self, digest: str, token: str | None, produce: Produce, fanout: Fanout[Event]) -> None:
        """Run the chain; ``token`` of ``None`` means Redis is down and nobody else will follow.

        Events reach local askers at once and the stream through a writer task, in order, so Redis round trips
        never hold up the chain; the stream is complete before the lease is released.
        """
        renewer = asyncio.create_task(self._renew(digest, token)) if token else None
        outbox: asyncio.Queue[Event | None] = asyncio.Queue()
        ending = asyncio.Event()
        writer = asyncio.create_task(self._write(digest, token, outbox, ending)) if token else None
        try:
            async with contextlib.aclosing(self._guarded(produce, fanout)) as events:
                async for event in events:
                    fanout.push(event)
                    outbox.put_nowait(event)
        except asyncio.CancelledError:
            # tell followers in other processes, so they end now instead of waiting for the lease
            outbox.put_nowait(_failure(fanout.items, CANCELLED, _CANCELLED_MESSAGE))
            raise
        finally:
            if renewer:
                renewer.cancel()
            if writer and token:
                outbox.put_nowait(None)
                ending.set()
                await asyncio.wait([writer])
                await self._guard.run(partial(self._store.finish, digest, token), None)

    async def _write(self, digest: str, token: str, outbox: asyncio.Queue[Event | None], ending: asyncio.Event) -> None:
        """Publish what the outbox holds: whatever queued up within ``batch_window`` of the first, in one go."""
        done = False
        while not done:
            batch = [await outbox.get()]
            if batch[0] is not None and not ending.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ending.wait(), self._batch_window)
            while not outbox.empty():
                batch.append(outbox.get_nowait())
            done = None in batch
            events = [e for e in batch if e is not None]
            if events:
                await self._guard.run(partial(self._store.publish, digest, token, *events), None)

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

    async def _renew(self, digest: str, token: str) -> None:
        while True:
            await asyncio.sleep(self._lease_ttl / 3)
            with contextlib.suppress(StoreUnavailableError):
                if not await self._guard.call(partial(self._store.renew, digest, token)):
                    log.warning("Lost the single-flight lease for %s; followers may take over", digest[:12])
                    return

    async def _follow(self, digest: str, token: str, fanout: Fanout[Event]) -> bool:
        """Relay the leader's stream; ``False`` when it was lost before anything arrived (the caller may lead)."""
        after = "0-0"
        while True:
            try:
                entries = await self._guard.call(partial(self._store.read, digest, token, after, wait=True))
                if not entries:
                    if await self._guard.call(partial(self._store.holder, digest)) == token:
                        continue
                    # The leader is gone; it may have ended just now, so read once more before giving up.
                    entries = await self._guard.call(partial(self._store.read, digest, token, after, wait=False))
                    if not entries:
                        break
            except StoreUnavailableError:
                break
            for entry_id, event in entries:
                after = entry_id
                fanout.push(event)
                if _terminal(event):
                    return True
        if not fanout.items:
            return False
        fanout.push(_failure(fanout.items, FLIGHT_LOST, _LOST_MESSAGE))
        return True
