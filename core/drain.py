"""The drain: graceful shutdown (SIGTERM on Heroku's daily restart and on Fly deploys).

:class:`GracefulService` stands between the adapters and the core service and is a :class:`~core.port.ThinkPort`
itself. Once :meth:`GracefulService.drain` starts it takes no new questions (they are refused with kind
``restarting``), lets the running chains finish within the grace period, then stops those still running: each
one's ``think`` ends with ``ChainFailed(kind="interrupted")``, whose message the adapter posts in the chain's thread
as it posts any failure, and ``drain`` returns once the adapters have taken those last events (or a short posting
allowance ran out). The entry point only wires the signal to :meth:`~GracefulService.drain`, then closes the
connections."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass

from core.events import ChainFailed, Event, Step
from core.kinds import FailureKind
from core.places import PlaceSettings, PlaceUsage
from core.port import ThinkPort
from core.request import ThinkRequest, Turn
from core.state.messages import MessageLink
from core.state.records import ChainRecord
from core.state.stops import StopResult

__all__ = ["INTERRUPTED", "RESTARTING", "DrainReport", "GracefulService"]

log = logging.getLogger(__name__)

INTERRUPTED = "Interrupted: the bot is restarting, so this chain could not finish. Please ask again."
RESTARTING = "The bot is restarting. Please ask again in a minute."
RESTART_WAIT = 60.0


@dataclass(frozen=True, slots=True)
class DrainReport:
    """``finished``: chains that ended within the grace period; ``interrupted``: those stopped after it."""

    finished: int
    interrupted: tuple[str, ...]


class GracefulService:
    """``service`` with a drain; ``observers`` see every event the adapters get (logs)."""

    def __init__(self, *, service: ThinkPort, grace: float, observers: Sequence[Callable[[Event], None]] = ()) -> None:
        self._service = service
        self._grace = grace
        self._observers = tuple(observers)
        self._running: dict[object, str] = {}
        self._interrupted: set[str] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self.draining = False

    @property
    def strategy_names(self) -> tuple[str, ...]:
        return self._service.strategy_names

    @property
    def running(self) -> int:
        return len(self._running)

    def think(self, request: ThinkRequest) -> AsyncGenerator[Event, None]:
        return self._think(request)

    async def _think(self, request: ThinkRequest) -> AsyncGenerator[Event, None]:
        if self.draining:
            refusal = ChainFailed(
                chain_id=uuid.uuid4().hex[:16],
                kind=FailureKind.RESTARTING,
                message=RESTARTING,
                retry_after=RESTART_WAIT,
            )
            yield self._seen(refusal)
            return
        token = object()
        chain_id: str | None = None
        self._running[token] = ""
        self._idle.clear()
        try:
            async with contextlib.aclosing(self._service.think(request)) as events:
                async for event in events:
                    if chain_id is None:
                        chain_id = event.chain_id
                        self._running[token] = chain_id
                    if (
                        isinstance(event, ChainFailed)
                        and event.kind == FailureKind.CANCELLED
                        and chain_id in self._interrupted
                    ):
                        event = ChainFailed(chain_id=event.chain_id, kind=FailureKind.INTERRUPTED, message=INTERRUPTED,
                                            steps=event.steps)  # fmt: skip
                    yield self._seen(event)
        finally:
            del self._running[token]
            if not self._running:
                self._idle.set()

    def _seen(self, event: Event) -> Event:
        for observe in self._observers:
            observe(event)
        return event

    async def drain(self, *, post_allowance: float = 5.0) -> DrainReport:
        """Refuse new questions, wait up to the grace period, interrupt the rest; see the module docstring."""
        self.draining = True
        before = len(self._running)
        log.info("draining: %d chain(s) running, waiting up to %.0f s", before, self._grace)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), self._grace)
        stopped = tuple(cid for cid in self._running.values() if cid)
        for chain_id in stopped:
            self._interrupted.add(chain_id)
            self._service.cancel(chain_id)
        if stopped:
            log.warning("grace period over: interrupting %d chain(s): %s", len(stopped), ", ".join(stopped))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), post_allowance)
        return DrainReport(finished=before - len(stopped), interrupted=stopped)

    def cancel(self, chain_id: str) -> bool:
        return self._service.cancel(chain_id)

    async def stop(self, chain_id: str) -> StopResult:
        return await self._service.stop(chain_id)

    async def record(self, chain_id: str) -> ChainRecord | None:
        return await self._service.record(chain_id)

    async def link_message(
        self, message_id: str, *, chain_id: str, steps: Sequence[int] = (), location: str = ""
    ) -> None:
        await self._service.link_message(message_id, chain_id=chain_id, steps=steps, location=location)

    async def find_message(self, message_id: str) -> tuple[ChainRecord, Step | None] | None:
        return await self._service.find_message(message_id)

    async def chain_messages(self, chain_id: str) -> tuple[MessageLink, ...]:
        return await self._service.chain_messages(chain_id)

    async def set_continuations(self, chain_id: str, message_id: str, more: Sequence[MessageLink]) -> None:
        await self._service.set_continuations(chain_id, message_id, more)

    async def take_continuations(self, chain_id: str, message_id: str) -> tuple[MessageLink, ...]:
        return await self._service.take_continuations(chain_id, message_id)

    async def link_thread(self, thread_id: str, *, chain_id: str) -> None:
        await self._service.link_thread(thread_id, chain_id=chain_id)

    async def thread_turns(self, thread_id: str, *, limit: int) -> tuple[Turn, ...]:
        return await self._service.thread_turns(thread_id, limit=limit)

    @property
    def allowed_models(self) -> tuple[str, ...]:
        return self._service.allowed_models

    async def place_settings(self, place: str) -> PlaceSettings:
        return await self._service.place_settings(place)

    async def change_place_settings(self, place: str, settings: PlaceSettings, *, by: str) -> PlaceSettings:
        return await self._service.change_place_settings(place, settings, by=by)

    async def usage(self, place: str) -> PlaceUsage:
        return await self._service.usage(place)
