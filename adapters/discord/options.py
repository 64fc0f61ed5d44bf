"""How the Discord adapter behaves, built by ``bot/`` from its settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.chat.linkwait import LINK_WAIT
from core.strategies.registry import STRATEGIES

__all__ = ["DiscordOptions"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscordOptions:
    """``sync_guilds``: sync /think to these guilds (instant) instead of globally. ``full_steps``: post each step's
    content straight away instead of collapsed. ``strategies``: the choices offered for /think's strategy option
    (``bot/`` passes the service's; by default every registered one). ``thread_messages``: the most messages one
    chain posts in its thread (steps, answer parts, notes; the rest is attached as a file), and the most
    continuation messages one expansion adds. ``link_wait``: seconds a reaction on one of the bot's messages waits
    for the message's link to be saved.
    """

    expand_emoji: str = "🔍"
    stop_emoji: str = "⏹️"
    full_steps: bool = False
    sync_guilds: tuple[int, ...] = ()
    strategies: tuple[str, ...] = field(default_factory=STRATEGIES.names)
    thread_archive_minutes: int = 1440
    thread_messages: int = 12
    link_wait: float = LINK_WAIT
