"""How the Discord adapter behaves, built by ``bot/`` from its settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from adapters.chat.layout import Layout
from adapters.chat.linkwait import LINK_WAIT
from adapters.chat.pacing import Pace
from core.strategies.registry import DEFAULT_STRATEGY, STRATEGIES

__all__ = ["DiscordOptions"]

POSTS_PER_WINDOW = 5  # Discord lets about 5 messages a 5 s window into one channel (a thread is a channel)


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscordOptions:
    """``sync_guilds``: sync /think to these guilds (instant) instead of globally. ``full_steps``: post each step's
    content straight away instead of collapsed. ``strategies``: the choices offered for /think's strategy option
    (``bot/`` passes the service's; by default every registered one). ``thread_messages``: the most messages one
    chain posts in its thread (steps, answer parts, notes; the rest is attached as a file); an expansion posts
    nothing (it edits in place, :mod:`adapters.discord.expand`). ``link_wait``: seconds a reaction on one of the
    bot's messages waits for the message's link to be saved. ``post_window``: the seconds in which five new
    messages may go to one channel. ``history_turns``: the earlier questions and answers in a thread a follow-up
    there carries.
    ``layout``: how a chain shows (display mode, step groups, live progress). ``buttons``: Steps, Stop and Again
    buttons under each header, in addition to the reactions. ``shard_count``, ``shard_ids``: the shards this process
    holds (``None``: the count Discord recommends, all of them). ``layouts``: the layout of each display a server's
    admin may choose (``layout`` is the deployment's). ``max_question_chars``: /think's question option's longest
    text (Discord refuses a longer one in the client). ``default_strategy``, ``budget_cap``: the deployment's, shown
    by /thinkbot settings.
    """

    expand_emoji: str = "🔍"
    stop_emoji: str = "⏹️"
    full_steps: bool = False
    sync_guilds: tuple[int, ...] = ()
    strategies: tuple[str, ...] = field(default_factory=STRATEGIES.names)
    thread_archive_minutes: int = 1440
    thread_messages: int = 12
    link_wait: float = LINK_WAIT
    post_window: float = 5.0
    history_turns: int = 3
    layout: Layout = field(default_factory=Layout)
    buttons: bool = True
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    layouts: Mapping[str, Layout] = field(default_factory=dict)
    max_question_chars: int = 4000
    default_strategy: str = DEFAULT_STRATEGY
    budget_cap: int = 0

    def layout_for(self, display: str | None) -> Layout:
        """The layout of a server's chosen ``display`` (the deployment's when it chose none, or an unknown one)."""
        return self.layouts.get(display or "", self.layout)

    @property
    def pace(self) -> Pace:
        return Pace(posts=POSTS_PER_WINDOW, per=self.post_window)
