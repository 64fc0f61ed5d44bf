"""The Discord client: /think in a command tree synced in setup_hook, reactions, follow-up mentions, no pings."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from adapters.discord.buttons import DYNAMIC_ITEMS
from adapters.discord.command import build_think_command
from adapters.discord.context import AdapterContext
from adapters.discord.followup import on_mention
from adapters.discord.reactions import on_reaction

__all__ = ["ThinkClient", "client_intents"]

log = logging.getLogger(__name__)


def client_intents() -> discord.Intents:
    """Guilds, messages and reactions; not the privileged message-content intent (mentions carry their text)."""
    intents = discord.Intents.default()
    intents.message_content = False
    intents.members = False
    intents.presences = False
    return intents


class ThinkClient(discord.Client):
    """``AllowedMentions.none()`` on every message: nothing the model or a user writes can ping anyone."""

    def __init__(self, *, ctx: AdapterContext, **options: Any) -> None:
        super().__init__(intents=client_intents(), allowed_mentions=discord.AllowedMentions.none(), **options)
        self.ctx = ctx
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(build_think_command(ctx))

    async def setup_hook(self) -> None:
        """Register the buttons' handlers (every process answers any chain's buttons, even with buttons off for new
        headers) and sync once per process (``on_ready`` fires on every reconnect): to the configured guilds, else
        globally."""
        self.add_dynamic_items(*DYNAMIC_ITEMS)
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
