"""Shows one chain on any chat platform: the service's events become operations on the platform's surface.

The events are read by a producer task into a queue, so while a post waits for the channel's turn (its pace) the
steps that arrive meanwhile pile up; whoever gets the turn gathers them and posts as many as one message holds
(:meth:`~adapters.chat.surface.ChainSurface.join`). Nothing is reordered or lost.

A :class:`~adapters.chat.caps.ThreadCap` bounds the messages a chain posts in its thread: steps may use all but the
last two, later steps are folded (held) and go out, joined, when the chain ends, and what still does not fit goes
into the last allowed message the platform's way (:meth:`~adapters.chat.surface.ChainSurface.overflow`). Every
message is linked to the steps it shows through the port, so a reaction finds them later, after a restart too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Generic, TypeVar

from adapters.chat import wording
from adapters.chat.caps import ThreadCap
from adapters.chat.surface import ChainSurface, Part
from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step
from core.kinds import FailureKind
from core.port import ThinkPort
from core.request import ThinkRequest

__all__ = ["Presenter"]

log = logging.getLogger(__name__)

M = TypeVar("M")
_LAST_WORD = 3.0  # seconds a note at shutdown may take


class Presenter(Generic[M]):
    """Shows the events of one request on ``surface``. ``asker`` is the asker's user key (as the record keeps it);
    ``showing``, when given, maps each chain this process is showing to its asker while it is shown."""

    def __init__(
        self,
        *,
        service: ThinkPort,
        surface: ChainSurface[M],
        asker: str,
        thread_messages: int,
        showing: dict[str, str] | None = None,
    ) -> None:
        self._service = service
        self._surface = surface
        self._asker = asker
        self._showing = showing
        self._cap = ThreadCap(limit=thread_messages)
        self._chain_id: str | None = None
        self._parts: list[Part[M]] = []  # to post, in order; steps wait here while their share is used
        self._shown: set[int] = set()
        self._read_ahead: list[Event | None] = []

    async def run(self, request: ThinkRequest) -> None:
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        producer = asyncio.create_task(self._produce(request, queue), name="chain-events")
        try:
            while (event := await self._next(queue)) is not None:
                await self._on(event, queue)
        except self._surface.refusals as exc:
            await self._surface.gave_up(exc)
        except asyncio.CancelledError:
            if self._chain_id is not None:
                with contextlib.suppress(TimeoutError, *self._surface.refusals):
                    async with asyncio.timeout(_LAST_WORD):
                        await self._surface.interrupted()
            raise
        finally:
            producer.cancel()
            await asyncio.wait([producer])
            if self._chain_id is not None and self._showing is not None:
                self._showing.pop(self._chain_id, None)
            await self._surface.close()

    async def _produce(self, request: ThinkRequest, queue: asyncio.Queue[Event | None]) -> None:
        try:
            async with contextlib.aclosing(self._service.think(request)) as events:
                async for event in events:
                    queue.put_nowait(event)
        except Exception:
            log.exception("the service failed on chain %s", self._chain_id or "(not started)")
            failed = ChainFailed(chain_id=self._chain_id or "", kind=FailureKind.INTERNAL, message=wording.OUR_FAULT)
            queue.put_nowait(failed)
        finally:
            queue.put_nowait(None)

    async def _next(self, queue: asyncio.Queue[Event | None]) -> Event | None:
        return self._read_ahead.pop(0) if self._read_ahead else await queue.get()

    async def _on(self, event: Event, queue: asyncio.Queue[Event | None]) -> None:
        if isinstance(event, ChainQueued):
            if self._chain_id is None:
                await self._surface.queued(event.position)
        elif isinstance(event, ChainStarted):
            await self._start(event)
        elif isinstance(event, Step):
            self._add(event)
            await self._post_steps(queue)
        elif isinstance(event, FinalAnswer):
            await self._post_rest(self._surface.answer_parts(event))
            await self._link_thread()
            await self._surface.answered(event)
        elif self._chain_id is None:
            await self._surface.refuse(event)
        else:
            for step in event.steps:
                if step.index not in self._shown:  # never shown here (the chain ended first): shown now
                    self._add(step)
            await self._post_rest([self._surface.failure_part(event, kept=len(self._shown))])
            await self._surface.failed(event)

    async def _start(self, event: ChainStarted) -> None:
        self._chain_id = event.chain_id
        if self._showing is not None:
            self._showing[event.chain_id] = self._asker
        head = await self._surface.open(event)
        if head is not None:
            await self._service.link_message(head.key, chain_id=event.chain_id, location=head.location)
        await self._surface.started(event)

    def _add(self, step: Step) -> None:
        self._shown.add(step.index)
        self._parts += self._surface.step_parts(step)

    def _gather(self, queue: asyncio.Queue[Event | None]) -> None:
        """Take the steps that arrived meanwhile, up to the first event that is not a step (kept for later)."""
        while not self._read_ahead and not queue.empty():
            item = queue.get_nowait()
            if isinstance(item, Step):
                self._add(item)
            else:
                self._read_ahead.append(item)

    async def _post_steps(self, queue: asyncio.Queue[Event | None]) -> None:
        """Post the steps waiting, in the channel's turns, while their share of the cap lasts (else fold them)."""
        while self._parts and self._cap.steps_open:
            async with self._surface.turn():
                self._gather(queue)
                await self._post(self._take(self._parts))

    async def _post_rest(self, final: list[Part[M]]) -> None:
        """The chain is over: folded steps, then ``final``, within the cap. An overflow that loses nothing takes
        whatever is left; one that cuts leaves the last message to ``final``, so the answer or the failure shows."""
        if self._surface.overflow_holds_all:
            await self._post_within(self._parts + final, spare=0)
        else:
            await self._post_within(self._parts, spare=1)
            await self._post_within(final, spare=0)
        self._parts.clear()

    async def _post_within(self, parts: list[Part[M]], *, spare: int) -> None:
        """Post ``parts`` leaving ``spare`` messages of the cap free; the last message left takes the overflow."""
        parts = list(parts)
        while parts:
            if self._cap.remaining - spare <= 1 and self._head(parts)[1] < len(parts):
                for part in self._surface.overflow(parts, limit=self._cap.limit):
                    async with self._surface.turn():
                        await self._post(part)
                return
            async with self._surface.turn():
                await self._post(self._take(parts))

    def _head(self, parts: list[Part[M]]) -> tuple[Part[M], int]:
        """The next message from the head of ``parts`` and how many parts it takes."""
        first, count = parts[0], 1
        if first.joinable:
            for following in parts[1:]:
                joined = self._surface.join(first, following) if following.joinable else None
                if joined is None:
                    break
                first, count = joined, count + 1
        return first, count

    def _take(self, parts: list[Part[M]]) -> Part[M]:
        part, count = self._head(parts)
        del parts[:count]
        if len(part.steps) > 1:
            log.debug("steps %s share one message", [s.index for s in part.steps])
        return part

    async def _post(self, part: Part[M]) -> None:
        posted = await self._surface.post(part)
        self._cap.count()
        if posted is not None and part.linked and self._chain_id is not None:
            steps = [s.index for s in part.steps]
            await self._service.link_message(posted.key, chain_id=self._chain_id, steps=steps, location=posted.location)

    async def _link_thread(self) -> None:
        thread = self._surface.thread
        if thread is not None and self._chain_id is not None:
            await self._service.link_thread(thread, chain_id=self._chain_id)
