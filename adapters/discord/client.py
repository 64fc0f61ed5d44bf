"""The Discord client: /think in a command tree synced in setup_hook, reactions, follow-up mentions, no pings; every
shard in one process by default, or the shards the options name (see :mod:`adapters.discord.shards`)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from adapters.discord.admin import build_admin_group
from adapters.discord.buttons import DYNAMIC_ITEMS
from adapters.discord.command import build_think_command
from adapters.discord.context import AdapterContext
from adapters.discord.followup import on_mention
from adapters.discord.message_command import build_message_command
from adapters.discord.reactions import on_reaction
from adapters.discord.shards import IDENTIFY_WINDOW, IdentifyPacer, ShardLinks

__all__ = ["ThinkClient", "client_intents"]

log = logging.getLogger(__name__)


def client_intents() -> discord.Intents:
    """Guilds, messages and reactions; not the privileged message-content intent (mentions carry their text)."""
    intents = discord.Intents.default()
    intents.message_content = False
    intents.members = False
    intents.presences = False
    return intents


class ThinkClient(discord.AutoShardedClient):
    """``AllowedMentions.none()`` on every message: nothing the model or a user writes can ping anyone.

    Holds the shards ``ctx.options`` names (``shard_ids`` of ``shard_count``), else all of the count Discord
    recommends. ``identify_interval``: the seconds each IDENTIFY rate limit key waits between two (Discord's 5).
    """

    def __init__(self, *, ctx: AdapterContext, identify_interval: float = IDENTIFY_WINDOW, **options: Any) -> None:
        if ctx.options.shard_ids is not None:
            options["shard_ids"] = list(ctx.options.shard_ids)
        super().__init__(
            intents=client_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            shard_count=ctx.options.shard_count,
            **options,
        )
        self.ctx = ctx
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(build_think_command(ctx))
        self.tree.add_command(build_message_command(ctx))  # "Think about this message", synced with /think
        self.tree.add_command(build_admin_group(ctx))
        self.pacer = IdentifyPacer(interval=identify_interval)
        self.links = ShardLinks()

    def held_shards(self) -> list[int]:
        """The shards this process holds (empty before the count is known)."""
        if self.shard_ids is not None:
            return list(self.shard_ids)
        return list(range(self.shard_count or 0))

    def is_ready(self) -> bool:
        """Ready when discord.py's cache is and every held shard has a live session (``/readyz`` asks this)."""
        return super().is_ready() and not self.is_closed() and self.links.all_up(self.held_shards())

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.pacer.wait(shard_id)

    async def on_shard_ready(self, shard_id: int) -> None:
        self.links.up(shard_id)
        log.info("shard %d of %s ready", shard_id, self.shard_count)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self.links.up(shard_id)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self.links.down(shard_id)

    async def setup_hook(self) -> None:
        """Register the buttons' handlers (every process answers any chain's buttons, even with buttons off for new
        headers) and sync once per process (``on_ready`` fires on every reconnect): to the configured guilds, else
        globally."""
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        limits = await self.fetch_session_start_limits()
        self.pacer.max_concurrency = limits.max_concurrency
        log.info("session starts left today: %d of %d", limits.remaining, limits.total)
        guilds = self.ctx.options.sync_guilds
        if not guilds:
            synced = await self.tree.sync()
            log.info("synced %d command(s) globally", len(synced))
            return
        for guild_id in guilds:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d command(s) to guild %s", len(synced), guild_id)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await on_reaction(self.ctx, self, payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await on_reaction(self.ctx, self, payload, added=False)

    async def on_message(self, message: discord.Message) -> None:
        await on_mention(self.ctx, self, message)
