"""How the Discord adapter behaves, built by ``bot/`` from its settings."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DiscordOptions"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscordOptions:
    """``sync_guilds``: sync /think to these guilds (instant) instead of globally. ``full_steps``: post each step's
    content straight away instead of collapsed. ``strategies``: the choices offered for /think's strategy option.
    """

    expand_emoji: str = "🔍"
    stop_emoji: str = "⏹️"
    full_steps: bool = False
    sync_guilds: tuple[int, ...] = ()
    strategies: tuple[str, ...] = ("g1", "berry")
    thread_archive_minutes: int = 1440
