"""Shows one chain on any chat platform: the service's events become operations on the platform's surface.

Steps are grouped into thread messages by their content alone (:mod:`adapters.chat.grouping`), never by timing, so
the same chain always looks the same; each group goes out in the channel's turn (its pace) once it is full or the
next step does not fit in it. While a group fills, and while a step is thought, a :class:`~adapters.chat.progress.
Ticker` shows live progress on the surface. In ``compact`` display (:mod:`adapters.chat.layout`) no step is
posted: the head and the answer only, the steps on demand (:mod:`adapters.chat.reacting`).

A :class:`~adapters.chat.caps.ThreadCap` bounds the messages a chain posts in its thread: steps may use all but the
last two, later groups are folded (held) and go out, joined, when the chain ends, and what still does not fit goes
into the last allowed message the platform's way (:meth:`~adapters.chat.surface.ChainSurface.overflow`). Every
message is linked to the steps it shows through the port, so a reaction finds them later, after a restart too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from typing import Generic, TypeVar

from adapters.chat import wording
from adapters.chat.caps import ThreadCap
from adapters.chat.grouping import Grouper
from adapters.chat.layout import Layout
from adapters.chat.progress import Ticker
from adapters.chat.surface import ChainSurface, Part
from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step, StepDelta
from core.kinds import FailureKind
from core.port import ThinkPort
from core.request import ThinkRequest

__all__ = ["Presenter"]

log = logging.getLogger(__name__)

M = TypeVar("M")
_LAST_WORD = 3.0  # seconds a note at shutdown may take


class Presenter(Generic[M]):
    """Shows the events of one request on ``surface``, laid out as ``layout`` says. ``asker`` is the asker's user
    key (as the record keeps it); ``showing``, when given, maps each chain this process is showing to its asker
    while it is shown."""

    def __init__(
        self,
        *,
        service: ThinkPort,
        surface: ChainSurface[M],
        asker: str,
        thread_messages: int,
        layout: Layout | None = None,
        showing: dict[str, str] | None = None,
    ) -> None:
        self._service = service
        self._surface = surface
        self._asker = asker
        self._showing = showing
        self._layout = layout = layout or Layout()
        self._cap = ThreadCap(limit=thread_messages)
        self._grouper = Grouper(layout=layout, join=surface.join)
        self._ticker = Ticker(every=layout.progress_every, show=surface.progress, refusals=surface.refusals)
        self._chain_id: str | None = None
        self._folded: list[Part[M]] = []  # groups held once the steps' share of the cap is used, in order
        self._shown: set[int] = set()

    async def run(self, request: ThinkRequest) -> None:
        """Show the request's events as they come. Each is shown before the next is asked for, so the service
        (and the drain in front of it) sees the chain end only once its last message is out."""
        try:
            async with contextlib.aclosing(self._events(request)) as events:
                async for event in events:
                    await self._on(event)
        except self._surface.refusals as exc:
            await self._ticker.stop()
            await self._surface.gave_up(exc)
        except asyncio.CancelledError:
            await self._ticker.stop()
            if self._chain_id is not None:
                with contextlib.suppress(TimeoutError, *self._surface.refusals):
                    async with asyncio.timeout(_LAST_WORD):
                        await self._surface.interrupted()
            raise
        finally:
            await self._ticker.stop()
            if self._chain_id is not None and self._showing is not None:
                self._showing.pop(self._chain_id, None)
            await self._surface.close()

    async def _events(self, request: ThinkRequest) -> AsyncGenerator[Event, None]:
        """The service's events; an error it raises ends them with a failure that is ours."""
        try:
            async with contextlib.aclosing(self._service.think(request)) as events:
                async for event in events:
                    yield event
        except Exception:
            log.exception("the service failed on chain %s", self._chain_id or "(not started)")
            yield ChainFailed(chain_id=self._chain_id or "", kind=FailureKind.INTERNAL, message=wording.OUR_FAULT)

    async def _on(self, event: Event) -> None:
        if isinstance(event, ChainQueued):
            if self._chain_id is None:
                await self._surface.queued(event.position)
        elif isinstance(event, ChainStarted):
            await self._start(event)
        elif isinstance(event, StepDelta):
            self._ticker.delta(event)
        elif isinstance(event, Step):
            self._ticker.step_done(event.index)
            for part in self._group(event):
                await self._post_step(part)
        elif isinstance(event, FinalAnswer):
            await self._ticker.stop()
            await self._post_rest(self._surface.answer_parts(event))
            await self._link_thread()
            await self._surface.answered(event)
        elif self._chain_id is None:
            await self._surface.refuse(event)
        else:
            await self._ticker.stop()
            for step in event.steps:
                if step.index not in self._shown:  # never shown here (the chain ended first): shown now
                    self._folded += self._group(step)
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
        if not event.cached:
            self._ticker.start()

    def _group(self, step: Step) -> list[Part[M]]:
        """The messages ``step`` closes (none in compact display, where steps are shown on demand only)."""
        if self._layout.display == "compact":
            return []
        self._shown.add(step.index)
        return self._grouper.add(self._surface.step_parts(step))

    async def _post_step(self, part: Part[M]) -> None:
        """Post a closed group in the channel's turn while the steps' share of the cap lasts; else fold it."""
        if self._folded or not self._cap.steps_open:
            self._folded.append(part)
            return
        async with self._surface.turn():
            await self._post(part)

    async def _post_rest(self, final: list[Part[M]]) -> None:
        """The chain is over: the open group, folded groups, then ``final``, within the cap. An overflow that loses
        nothing takes whatever is left; one that cuts leaves the last message to ``final``, so the answer or the
        failure shows."""
        for part in self._grouper.flush():
            await self._post_step(part)
        folded, self._folded = self._folded, []
        if self._surface.overflow_holds_all:
            await self._post_within(folded + final, spare=0)
        else:
            await self._post_within(folded, spare=1)
            await self._post_within(final, spare=0)

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
        if posted is None or posted.counted:
            self._cap.count()
        if posted is not None and part.linked and self._chain_id is not None:
            steps = [s.index for s in part.steps]
            await self._service.link_message(posted.key, chain_id=self._chain_id, steps=steps, location=posted.location)

    async def _link_thread(self) -> None:
        thread = self._surface.thread
        if thread is not None and self._chain_id is not None:
            await self._service.link_thread(thread, chain_id=self._chain_id)
