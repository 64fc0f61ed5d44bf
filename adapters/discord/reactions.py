"""Reactions on the bot's messages, read from discord.py's raw events and handed to the shared rules
(:mod:`adapters.chat.reacting`); this module only says who moderates (Manage Messages in the channel) and edits,
posts and deletes the messages an expansion touches."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

import discord

from adapters.chat.caps import within_room
from adapters.chat.reacting import Reaction, action_of
from adapters.discord.context import AdapterContext, message_key, message_number
from adapters.discord.overflow import Out, Spill, overflow_message, send_out
from adapters.discord.render import steps_text
from adapters.discord.split import split_text
from core.events import Step
from core.state import MessageLink

__all__ = ["DiscordReactions", "on_reaction"]

log = logging.getLogger(__name__)


async def on_reaction(
    ctx: AdapterContext, client: discord.Client, payload: discord.RawReactionActionEvent, *, added: bool
) -> None:
    if client.user is None or payload.user_id == client.user.id:
        return
    options = ctx.options
    action = action_of(str(payload.emoji), expand=options.expand_emoji, stop=options.stop_emoji, added=added)
    if action is None:
        return
    reaction = Reaction(
        message=message_key(payload.message_id),
        user=f"discord:{payload.user_id}",
        action=action,
        # Discord names the author only on adds; a remove waits behind the add it follows (same message, in order).
        ours=added and payload.message_author_id == client.user.id,
        location=str(payload.channel_id),
    )
    await ctx.reactions.handle(reaction, DiscordReactions(ctx=ctx, client=client, payload=payload))


class DiscordReactions:
    """The reaction surface of one reaction event."""

    def __init__(self, *, ctx: AdapterContext, client: discord.Client, payload: discord.RawReactionActionEvent) -> None:
        self._ctx = ctx
        self._client = client
        self._payload = payload

    async def moderates(self) -> bool:
        return await can_manage(self._client, self._payload)

    async def rewrite(
        self, link: MessageLink, steps: list[Step], *, expanded: bool, room: int, old: Sequence[MessageLink]
    ) -> list[MessageLink]:
        if not link.location.isdecimal():
            return []
        first, *more = split_text(steps_text(steps, expanded=expanded)) or ["…"]
        channel_id = int(link.location)
        channel = self._client.get_partial_messageable(channel_id)
        pacer = self._ctx.pacer
        added: list[discord.Message] = []
        try:
            async with pacer.gate(channel_id):
                await channel.get_partial_message(message_number(link.message_id)).edit(content=first)
                for message in old:
                    with contextlib.suppress(discord.NotFound):
                        await channel.get_partial_message(message_number(message.message_id)).delete()
            fits, rest = within_room(more, room)
            outs = [Out(part) for part in fits] + ([self._rest(steps)] if rest else [])
            for out in outs:
                async with pacer.slot(channel_id):
                    added.append(await send_out(channel.send, out))  # type: ignore[arg-type]
        except discord.HTTPException as exc:
            log.warning("could not %s message %s: %s %s", "expand" if expanded else "collapse", link.message_id,
                        exc.status, exc.code)  # fmt: skip
        return [
            MessageLink(chain_id=link.chain_id, message_id=message_key(m.id), location=link.location) for m in added
        ]

    def _rest(self, steps: list[Step]) -> Out:
        """The continuation that does not fit: a note with the steps in full attached."""
        spills = [Spill(kind="step", text=steps_text(steps, expanded=True))]
        number = steps[0].index if len(steps) == 1 else None
        return overflow_message(spills, limit=self._ctx.options.thread_messages, step=number)


async def can_manage(client: discord.Client, payload: discord.RawReactionActionEvent) -> bool:
    """Manage Messages in the reaction's channel (threads follow their parent). Removes carry no member: the
    cache, else Discord, is asked."""
    guild = client.get_guild(payload.guild_id or 0)
    if guild is None:
        return False
    member = payload.member or guild.get_member(payload.user_id)
    if member is None:
        try:
            member = await guild.fetch_member(payload.user_id)
        except discord.HTTPException as exc:
            log.info("could not look up a reacting member: %s %s", exc.status, exc.code)
            return False
    channel = guild.get_channel_or_thread(payload.channel_id)
    permissions = channel.permissions_for(member) if channel is not None else member.guild_permissions
    return permissions.manage_messages
