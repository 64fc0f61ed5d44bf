"""The port: everything an adapter may call on the core, declared once.

:class:`~core.service.ThinkService` provides it, and so does :class:`~core.drain.GracefulService`, which stands in
front of it in a server process. Adapters type their service as :class:`ThinkPort` and never import either.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Protocol

from core.events import Event, Step
from core.places import PlaceSettings, PlaceUsage
from core.request import ThinkRequest, Turn
from core.state.messages import MessageLink
from core.state.records import ChainRecord
from core.state.stops import StopResult

__all__ = ["ThinkPort"]


class ThinkPort(Protocol):
    @property
    def strategy_names(self) -> tuple[str, ...]:
        """The strategies a request may name."""
        ...

    def think(self, request: ThinkRequest) -> AsyncGenerator[Event, None]:
        """The request's events as they happen; see :mod:`core.service`."""
        ...

    def cancel(self, chain_id: str) -> bool:
        """Stop ``chain_id`` if it runs in this process; its ``think`` then ends with a ``cancelled`` failure."""
        ...

    async def stop(self, chain_id: str) -> StopResult:
        """Stop ``chain_id`` in whichever process runs it (as ``cancel`` does there); whether that worked."""
        ...

    async def record(self, chain_id: str) -> ChainRecord | None: ...

    async def link_message(
        self, message_id: str, *, chain_id: str, steps: Sequence[int] = (), location: str = ""
    ) -> None:
        """Remember that the adapter's message ``message_id``, at ``location`` (the adapter's own id of where it
        is), shows ``steps`` of ``chain_id`` (none: a header, an answer, a note)."""
        ...

    async def find_message(self, message_id: str) -> tuple[ChainRecord, Step | None] | None:
        """The record behind a linked message and the first step it shows (``None``: it shows none)."""
        ...

    async def chain_messages(self, chain_id: str) -> tuple[MessageLink, ...]:
        """Every message linked to the chain, in step order."""
        ...

    async def set_continuations(self, chain_id: str, message_id: str, more: Sequence[MessageLink]) -> None:
        """Remember the messages an expansion of ``message_id`` added after it."""
        ...

    async def take_continuations(self, chain_id: str, message_id: str) -> tuple[MessageLink, ...]:
        """The messages the last expansion of ``message_id`` added, forgotten as they are returned."""
        ...

    async def link_thread(self, thread_id: str, *, chain_id: str) -> None:
        """The chain was answered in the adapter's thread ``thread_id``: a follow-up there may carry it."""
        ...

    async def thread_turns(self, thread_id: str, *, limit: int) -> tuple[Turn, ...]:
        """The last ``limit`` questions answered in the thread and their answers, oldest first."""
        ...

    @property
    def allowed_models(self) -> tuple[str, ...]:
        """The models a server or workspace may choose, the default first."""
        ...

    async def place_settings(self, place: str) -> PlaceSettings:
        """A server's or workspace's own settings (empty: the deployment's defaults)."""
        ...

    async def change_place_settings(self, place: str, settings: PlaceSettings, *, by: str) -> PlaceSettings:
        """Check and store them (``InputError`` with what is wrong); every process uses them at once."""
        ...

    async def usage(self, place: str) -> PlaceUsage:
        """The place's UTC day so far: tokens against its budget, questions, cache hits, strategies."""
        ...
