"""What every part of the adapter shares: the core service, the options, the chains shown, the channel pacer."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.chat.pacing import ChannelPacer
from adapters.chat.reacting import ReactionRules
from adapters.discord.options import DiscordOptions
from core.port import ThinkPort
from core.toggles import Toggles

__all__ = ["AdapterContext", "message_key", "message_number", "thread_key"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AdapterContext:
    """``toggles`` rate-limits expand/collapse reactions (shared through Redis); ``running`` maps the chains this
    process is showing right now to their asker's user key; ``pacer`` puts the writes to each channel in order and
    new posts at Discord's pace; ``reactions`` applies the shared expand/collapse/stop rules."""

    service: ThinkPort
    options: DiscordOptions
    toggles: Toggles
    running: dict[str, str] = field(default_factory=dict)
    pacer: ChannelPacer[int] = field(init=False)
    reactions: ReactionRules = field(init=False)

    def __post_init__(self) -> None:
        options = self.options
        object.__setattr__(self, "pacer", ChannelPacer[int](pace=options.pace))
        rules = ReactionRules(
            service=self.service,
            toggles=self.toggles,
            thread_messages=options.thread_messages,
            link_wait=options.link_wait,
        )
        object.__setattr__(self, "reactions", rules)


def message_key(message_id: int) -> str:
    return f"discord:{message_id}"


def message_number(key: str) -> int:
    """The Discord message id in a :func:`message_key`."""
    return int(key.removeprefix("discord:"))


def thread_key(thread_id: int) -> str:
    return f"discord:thread:{thread_id}"
