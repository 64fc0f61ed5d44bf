"""What every part of the adapter shares: the core service, the post index, the options, the running chains."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from adapters.chat.ordering import KeyedLocks
from adapters.discord.gates import ChannelGates
from adapters.discord.options import DiscordOptions
from adapters.discord.posts import PostIndex
from core.events import Event, Step
from core.request import ThinkRequest
from core.state import ChainRecord
from core.toggles import Toggles

__all__ = ["AdapterContext", "ThinkPort", "message_key", "thread_key"]


class ThinkPort(Protocol):
    """The part of ``core.service.ThinkService`` the adapter calls."""

    def think(self, request: ThinkRequest) -> AsyncIterator[Event]: ...

    def cancel(self, chain_id: str) -> bool: ...

    async def link_message(self, message_id: str, *, chain_id: str, step: int | None) -> None: ...

    async def find_message(self, message_id: str) -> tuple[ChainRecord, Step | None] | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class AdapterContext:
    """``toggles`` rate-limits expand/collapse reactions (shared through Redis); ``running`` maps the chains this
    process is showing right now to their asker's user id (for stop); ``gates`` serialise the writes to each
    channel; ``reacting`` puts the reactions on one message in arrival order."""

    service: ThinkPort
    posts: PostIndex
    options: DiscordOptions
    toggles: Toggles
    running: dict[str, int] = field(default_factory=dict)
    gates: ChannelGates = field(default_factory=ChannelGates)
    reacting: KeyedLocks[int] = field(default_factory=KeyedLocks)


def message_key(message_id: int) -> str:
    return f"discord:{message_id}"


def thread_key(thread_id: int) -> str:
    return f"discord:thread:{thread_id}"
