"""What every part of the adapter shares: the core service, the options, the running chains."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.chat.ordering import KeyedLocks
from adapters.discord.gates import ChannelGates
from adapters.discord.options import DiscordOptions
from core.port import ThinkPort
from core.toggles import Toggles

__all__ = ["AdapterContext", "message_key", "message_number", "thread_key"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AdapterContext:
    """``toggles`` rate-limits expand/collapse reactions (shared through Redis); ``running`` maps the chains this
    process is showing right now to their asker's user id (for stop); ``gates`` serialise the writes to each
    channel; ``reacting`` puts the reactions on one message in arrival order."""

    service: ThinkPort
    options: DiscordOptions
    toggles: Toggles
    running: dict[str, int] = field(default_factory=dict)
    gates: ChannelGates = field(default_factory=ChannelGates)
    reacting: KeyedLocks[int] = field(default_factory=KeyedLocks)


def message_key(message_id: int) -> str:
    return f"discord:{message_id}"


def message_number(key: str) -> int:
    """The Discord message id in a :func:`message_key`."""
    return int(key.removeprefix("discord:"))


def thread_key(thread_id: int) -> str:
    return f"discord:thread:{thread_id}"
