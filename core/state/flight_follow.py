"""How a flight ends and is followed: a leader's events up to their end (or a failure in their place), following a
flight led elsewhere from its stream (and when its leader counts as lost), and what followers are told when a
flight ends early."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step, StepDelta
from core.kinds import FailureKind
from core.state.fanout import Fanout
from core.state.flights import FlightStore
from core.state.guard import RedisGuard, StoreBusyError, StoreUnavailableError
from core.state.stream_reader import StreamReader

__all__ = [
    "BROKEN_MESSAGE",
    "CANCELLED_MESSAGE",
    "LOST_MESSAGE",
    "HandOff",
    "Produce",
    "failure",
    "follow",
    "guarded",
    "terminal",
]

CANCELLED_MESSAGE = "The chain was stopped before it finished; please ask again."
LOST_MESSAGE = "The identical question this one was following stopped before it finished; please ask again."
BROKEN_MESSAGE = "The chain stopped unexpectedly; please ask again."

log = logging.getLogger(__name__)

Produce = Callable[[], AsyncIterator[Event]]


@dataclass(frozen=True, slots=True)
class HandOff:
    """How a gateway hands a chain to the workers: ``send(token)`` enqueues it; ``patience``: how long its stream may
    stay silent (a step's time, or a dead worker's job waiting to be taken over) before the chain counts as lost."""

    send: Callable[[str], Awaitable[object]]
    patience: float


def terminal(event: Event) -> bool:
    return isinstance(event, FinalAnswer | ChainFailed)


def failure(seen: tuple[Event, ...], kind: FailureKind, message: str) -> ChainFailed:
    chain_id = next((e.chain_id for e in seen if isinstance(e, ChainStarted)), "")
    return ChainFailed(chain_id, kind, message, tuple(e for e in seen if isinstance(e, Step)))


async def guarded(produce: Produce, fanout: Fanout[Event]) -> AsyncGenerator[Event, None]:
    """``produce()``'s events up to the terminal one, or a ChainFailed if it raised or stopped short."""
    chain = produce()
    try:
        async for event in chain:
            yield event
            if terminal(event):
                return
    except Exception:
        log.exception("A single-flight chain raised instead of ending with an event")
    finally:
        aclose = getattr(chain, "aclose", None)
        if aclose is not None:
            await aclose()
    yield failure(fanout.items, FailureKind.INTERNAL, BROKEN_MESSAGE)


async def follow(
    *,
    store: FlightStore,
    reader: StreamReader,
    guard: RedisGuard,
    block: float,
    digest: str,
    token: str,
    fanout: Fanout[Event],
    patience: float | None = None,
) -> bool:
    """Relay the leader's stream; ``False`` when it was lost before anything arrived (the caller may lead).

    ``patience``: wait for the stream that long after its last event whatever the lease says (a chain handed
    off to a worker, which may die and be taken over by another, whose events go on in the same stream: a step
    or a start shown already is not shown again); by default, only while the lease is held. The waiting reads
    go through the process's one :class:`StreamReader`, so many follows hold one connection."""
    after = "0-0"
    heard = time.monotonic()
    shown = 0
    stream, watch = store.stream_key(digest, token), store.watch_key(digest)
    while True:
        try:
            items = await reader.read(stream, after, watch=watch, wait_for=block)
            entries = store.events(items)
            if entries:
                heard = time.monotonic()
            elif patience is not None:
                if time.monotonic() - heard < patience:
                    continue
                break
            else:
                if await guard.call(partial(store.holder, digest)) == token:
                    continue
                # The leader is gone; it may have ended just now, so read once more before giving up.
                entries = await guard.call(partial(store.read, digest, token, after, wait=False))
                if not entries:
                    break
        except StoreBusyError:
            await asyncio.sleep(block / 4)  # back-pressure, not a lost leader: read again soon
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
            if terminal(event):
                return True
    if not fanout.items:
        return False
    fanout.push(failure(fanout.items, FailureKind.FLIGHT_LOST, LOST_MESSAGE))
    return True


def _repeated(event: Event, fanout: Fanout[Event], shown: int) -> bool:
    """An event a taken-over chain's stream holds twice: a second start, or a step (or its text) up to the last one
    shown (a worker that lost its job may still write one after the next worker began)."""
    if isinstance(event, ChainStarted):
        return any(isinstance(e, ChainStarted) for e in fanout.items)
    return isinstance(event, Step | StepDelta) and event.index <= shown
