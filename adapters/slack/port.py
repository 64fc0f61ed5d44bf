"""The part of the core service the Slack adapter uses (``core.service.ThinkService`` provides it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from core.events import Event, Step
from core.request import ThinkRequest
from core.state.records import ChainRecord

__all__ = ["ChainService"]


class ChainService(Protocol):
    def think(self, request: ThinkRequest) -> AsyncIterator[Event]: ...

    def cancel(self, chain_id: str) -> bool: ...

    async def link_message(self, message_id: str, *, chain_id: str, step: int | None) -> None: ...

    async def find_message(self, message_id: str) -> tuple[ChainRecord, Step | None] | None: ...

    async def record(self, chain_id: str) -> ChainRecord | None: ...
