"""Reactions on the bot's messages: expand a step (or every step, from the header or answer), collapse, stop.

A step's own expand reaction is open to everyone; expanding every step (on the header, the answer or an
overflow note) only to the asker and members with Manage Messages in the channel. Every toggle is counted
against the per-message and per-user limits first (``ctx.toggles``); a refused one does nothing. Reactions on
one message are handled in arrival order, and one added to a message of ours before its link is saved waits
briefly for it (``options.link_wait``) instead of being lost.
"""

from __future__ import annotations

import contextlib
import logging

import discord

from adapters.chat.linkwait import until_linked
from adapters.discord.context import AdapterContext, message_key, message_number
from adapters.discord.overflow import Spill, overflow_file, overflow_note
from adapters.discord.render import steps_text
from adapters.discord.split import split_text
from core.events import Step
from core.state import ChainRecord, MessageLink

__all__ = ["on_reaction"]

log = logging.getLogger(__name__)

Found = tuple[ChainRecord, Step | None]


async def on_reaction(
    ctx: AdapterContext, client: discord.Client, payload: discord.RawReactionActionEvent, *, added: bool
) -> None:
    if client.user is None or payload.user_id == client.user.id:
        return
    emoji = str(payload.emoji)
    expand = emoji == ctx.options.expand_emoji
    if not expand and not (emoji == ctx.options.stop_emoji and added):
        return
    # Discord names the author only on adds; a remove waits behind the add it follows (same message, in order).
    ours = added and payload.message_author_id == client.user.id
    async with ctx.reacting(payload.message_id):
        found = await _find(ctx, payload.message_id, wait=ctx.options.link_wait if ours else 0.0)
        if found is None:
            return
        if expand:
            await toggle(ctx, client, payload, found, expanded=added)
        else:
            await stop(ctx, client, payload, found)


async def _find(ctx: AdapterContext, message_id: int, *, wait: float) -> Found | None:
    return await until_linked(lambda: ctx.service.find_message(message_key(message_id)), within=wait)


async def toggle(
    ctx: AdapterContext,
    client: discord.Client,
    payload: discord.RawReactionActionEvent,
    found: Found,
    *,
    expanded: bool,
) -> None:
    """Expand (or collapse) the steps the message shows; every step when it is a header, an answer or a note."""
    record, step = found
    if step is None and not await _may_expand_all(client, payload, record):
        log.info("ignoring an expand-every-step reaction from someone who neither asked nor manages messages")
        return
    if not await ctx.toggles.allow(user=f"discord:{payload.user_id}", message=message_key(payload.message_id)):
        return
    links = [link for link in await ctx.service.chain_messages(record.chain_id) if link.steps]
    if step is not None:
        key = message_key(payload.message_id)
        alone = MessageLink(
            chain_id=record.chain_id, message_id=key, steps=(step.index,), location=str(payload.channel_id)
        )
        links = [link for link in links if link.message_id == key] or [alone]
    by_index = {s.index: s for s in record.steps}
    room = ctx.options.thread_messages  # continuation messages this toggle may add, over all its messages
    for link in links:
        steps = [by_index[i] for i in link.steps if i in by_index]
        if steps and link.location.isdecimal():
            room -= await _show(ctx, client, link, steps, expanded=expanded, room=room)


async def _show(
    ctx: AdapterContext,
    client: discord.Client,
    link: MessageLink,
    steps: list[Step],
    *,
    expanded: bool,
    room: int,
) -> int:
    """Edit the message of ``link`` to show ``steps``; returns how many continuation messages that added (at most
    ``room``, or 1 when ``room`` is used up: the note that carries the rest as a file)."""
    first, *more = split_text(steps_text(steps, expanded=expanded)) or ["…"]
    channel_id, message_id = int(link.location), message_number(link.message_id)
    channel = client.get_partial_messageable(channel_id)
    added: list[discord.Message] = []
    try:
        async with ctx.gates(channel_id):
            await channel.get_partial_message(message_id).edit(content=first)
            for old in await ctx.service.take_continuations(link.chain_id, link.message_id):
                with contextlib.suppress(discord.NotFound):
                    await channel.get_partial_message(message_number(old.message_id)).delete()
            fits = more if len(more) <= room else more[: max(0, room - 1)]
            added = [await channel.send(part) for part in fits]
            if len(fits) < len(more):
                added.append(await _send_rest(channel, steps, limit=ctx.options.thread_messages))
    except discord.HTTPException as exc:
        action = "expand" if expanded else "collapse"
        log.warning("could not %s message %s: %s %s", action, message_id, exc.status, exc.code)
    if added:
        kept = [
            MessageLink(chain_id=link.chain_id, message_id=message_key(m.id), location=link.location) for m in added
        ]
        await ctx.service.set_continuations(link.chain_id, link.message_id, kept)
    return len(added)


async def _send_rest(channel: discord.PartialMessageable, steps: list[Step], *, limit: int) -> discord.Message:
    """The continuation that does not fit, as a note with the steps in full attached."""
    spills = [Spill(kind="step", text=steps_text(steps, expanded=True))]
    number = steps[0].index if len(steps) == 1 else None
    file, cut = overflow_file(spills, step=number)
    return await channel.send(overflow_note(spills, limit=limit, cut=cut, step=number), file=file)


async def stop(
    ctx: AdapterContext, client: discord.Client, payload: discord.RawReactionActionEvent, found: Found
) -> None:
    """Cancel the chain behind the message, if it runs here and the reactor asked it or may manage messages."""
    chain_id = found[0].chain_id
    asker = ctx.running.get(chain_id)
    if asker is None:
        return
    if payload.user_id != asker and not await _can_manage(client, payload):
        log.info("ignoring a stop reaction from someone who neither asked nor manages messages")
        return
    if ctx.service.cancel(chain_id):
        log.info("chain %s stopped by a reaction", chain_id)


async def _may_expand_all(client: discord.Client, payload: discord.RawReactionActionEvent, record: ChainRecord) -> bool:
    return record.asker == f"discord:{payload.user_id}" or await _can_manage(client, payload)


async def _can_manage(client: discord.Client, payload: discord.RawReactionActionEvent) -> bool:
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
