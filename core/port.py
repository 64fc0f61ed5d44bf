"""The port: everything an adapter may call on the core, declared once.

:class:`~core.service.ThinkService` provides it, and so does :class:`~core.drain.GracefulService`, which stands in
front of it in a server process. Adapters type their service as :class:`ThinkPort` and never import either.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Protocol

from core.events import Event, Step
from core.request import ThinkRequest
from core.state.records import ChainRecord

__all__ = ["ThinkPort"]


class ThinkPort(Protocol):
    @property
    def strategy_names(self) -> tuple[str, ...]:
        """The strategies a request may name, the default first."""
        ...

    def think(self, request: ThinkRequest) -> AsyncGenerator[Event, None]:
        """The request's events as they happen; see :mod:`core.service`."""
        ...

    def cancel(self, chain_id: str) -> bool:
        """Stop ``chain_id`` if it runs in this process; its ``think`` then ends with a ``cancelled`` failure."""
        ...

    async def record(self, chain_id: str) -> ChainRecord | None: ...

    async def link_message(self, message_id: str, *, chain_id: str, step: int | None) -> None:
        """Remember that the adapter's message ``message_id`` shows ``step`` of ``chain_id`` (``None``: no step)."""
        ...

    async def find_message(self, message_id: str) -> tuple[ChainRecord, Step | None] | None:
        """The record behind a linked message and the step it shows."""
        ...
