"""Reactions on the bot's messages, read from discord.py's raw events and handed to the shared rules
(:mod:`adapters.chat.reacting`); this module only says who moderates (Manage Messages in the channel) and edits the
messages an expansion touches.

An expansion only ever edits, in place (:mod:`adapters.discord.expand`): steps that do not fit in the message are
cut, and a last line points to the Steps button for the rest, or (buttons off) the message carries them in full as
a file. It posts nothing, so nothing lands after the answer; collapsing restores the text and drops the file.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

import discord

from adapters.chat.reacting import Reaction, action_of
from adapters.discord import expand
from adapters.discord.context import AdapterContext, message_key, message_number
from adapters.discord.overflow import Attachment, Out, edit_out, file_bytes
from adapters.discord.render import steps_text
from adapters.discord.split import split_text
from core.events import Step
from core.state import MessageLink

__all__ = ["DiscordReactions", "on_reaction"]

log = logging.getLogger(__name__)

_NAMED = 25  # reactors named when asked who still reacts (one request to Discord)


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

    async def reactors(self, *, who: bool) -> list[str]:
        """Everyone but the bot with the event's emoji on the message, as Discord counts it now (at most 25 named)."""
        payload = self._payload
        channel = self._client.get_partial_messageable(payload.channel_id)
        emoji = str(payload.emoji)
        try:
            message = await channel.fetch_message(payload.message_id)
            found = next((r for r in message.reactions if str(r.emoji) == emoji), None)
            if found is None or found.count - int(found.me) <= 0:
                return []
            if not who:
                return ["someone"] * (found.count - int(found.me))
            me = self._client.user.id if self._client.user else 0
            return [f"discord:{user.id}" async for user in found.users(limit=_NAMED) if user.id != me]
        except discord.HTTPException as exc:
            log.info("could not read the reactions on message %s: %s %s", payload.message_id, exc.status, exc.code)
            return []

    async def moderator(self, user: str) -> bool:
        return await can_manage(self._client, self._payload, user_id=int(user.removeprefix("discord:")))

    async def rewrite(
        self, link: MessageLink, steps: list[Step], *, expanded: bool, room: int, old: Sequence[MessageLink]
    ) -> list[MessageLink]:
        """Edit the message in place and post nothing (``room`` goes unused); the ``old`` continuations, which
        earlier versions posted for long steps, are deleted."""
        if not link.location.isdecimal():
            return []
        out = await self._expanded(link, steps) if expanded else _collapsed(steps)
        channel_id = int(link.location)
        channel = self._client.get_partial_messageable(channel_id)
        try:
            async with self._ctx.pacer.gate(channel_id):
                await edit_out(channel.get_partial_message(message_number(link.message_id)), out)
                for message in old:
                    with contextlib.suppress(discord.NotFound):
                        await channel.get_partial_message(message_number(message.message_id)).delete()
        except discord.HTTPException as exc:
            log.warning("could not %s message %s: %s %s", "expand" if expanded else "collapse", link.message_id,
                        exc.status, exc.code)  # fmt: skip
        return []

    async def _expanded(self, link: MessageLink, steps: list[Step]) -> Out:
        """The message expanded: its steps in full, or cut with a pointer to the rest (the Steps button, at the
        page where the first cut step starts; without buttons, a file with every step of the message in full)."""
        shown = expand.expand(steps)
        if not shown.rest:
            return Out(shown.text)
        if self._ctx.options.buttons:
            record = await self._ctx.service.record(link.chain_id)
            page = expand.first_page(record, shown.rest[0]) if record is not None else None
            return Out(f"{shown.text}\n{expand.steps_pointer(shown.rest, page=page)}")
        full = steps_text(steps, expanded=True)
        name = expand.filename(steps)
        instead = f"{shown.text}\n{expand.missing_pointer(shown.rest, len(full))}"
        attachment = Attachment(data=file_bytes([full])[0], filename=name, instead=instead)
        return Out(f"{shown.text}\n{expand.attached_pointer(shown.rest, name)}", attachment)


def _collapsed(steps: list[Step]) -> Out:
    """The message as it was posted: its steps' title lines, and no file."""
    return Out((split_text(steps_text(steps, expanded=False)) or ["…"])[0])


async def can_manage(
    client: discord.Client, payload: discord.RawReactionActionEvent, *, user_id: int | None = None
) -> bool:
    """Manage Messages in the reaction's channel (threads follow their parent) for the reactor, or ``user_id``.
    Removes carry no member: the cache, else Discord, is asked."""
    guild = client.get_guild(payload.guild_id or 0)
    if guild is None:
        return False
    user_id = payload.user_id if user_id is None else user_id
    member = (payload.member if user_id == payload.user_id else None) or guild.get_member(user_id)
    if member is None:
        try:
            member = await guild.fetch_member(user_id)
        except discord.HTTPException as exc:
            log.info("could not look up a reacting member: %s %s", exc.status, exc.code)
            return False
    channel = guild.get_channel_or_thread(payload.channel_id)
    permissions = channel.permissions_for(member) if channel is not None else member.guild_permissions
    return permissions.manage_messages
