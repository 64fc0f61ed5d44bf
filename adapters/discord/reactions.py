"""Reactions on the bot's messages: expand a step (or every step, from the header or answer), collapse, stop."""

from __future__ import annotations

import contextlib
import logging

import discord

from adapters.discord.context import AdapterContext, message_key
from adapters.discord.posts import Post
from adapters.discord.render import steps_text
from adapters.discord.split import split_text
from core.events import Step

__all__ = ["on_reaction"]

log = logging.getLogger(__name__)


async def on_reaction(
    ctx: AdapterContext, client: discord.Client, payload: discord.RawReactionActionEvent, *, added: bool
) -> None:
    if client.user is None or payload.user_id == client.user.id:
        return
    emoji = str(payload.emoji)
    if emoji == ctx.options.expand_emoji:
        await toggle(ctx, client, channel_id=payload.channel_id, message_id=payload.message_id, expanded=added)
    elif emoji == ctx.options.stop_emoji and added:
        await stop(ctx, client, payload)


async def toggle(
    ctx: AdapterContext, client: discord.Client, *, channel_id: int, message_id: int, expanded: bool
) -> None:
    """Expand (or collapse) the steps ``message_id`` shows; every step when it is a header or an answer."""
    found = await ctx.service.find_message(message_key(message_id))
    if found is None:
        return
    record, step = found
    groups: dict[Post, list[int]] = {}
    for index, post in sorted((await ctx.posts.steps(record.chain_id)).items()):
        groups.setdefault(post, []).append(index)
    if step is not None:
        groups = {p: i for p, i in groups.items() if p.message_id == message_id}
        groups = groups or {Post(channel_id=channel_id, message_id=message_id): [step.index]}
    by_index = {s.index: s for s in record.steps}
    for post, indexes in groups.items():
        steps = [by_index[i] for i in indexes if i in by_index]
        if steps:
            await _show(ctx, client, record.chain_id, post, steps, expanded=expanded)


async def _show(
    ctx: AdapterContext, client: discord.Client, chain_id: str, post: Post, steps: list[Step], *, expanded: bool
) -> None:
    parts = split_text(steps_text(steps, expanded=expanded))
    channel = client.get_partial_messageable(post.channel_id)
    try:
        async with ctx.gates(post.channel_id):
            await channel.get_partial_message(post.message_id).edit(content=parts[0])
            for old in await ctx.posts.take_more(chain_id, post.message_id):
                with contextlib.suppress(discord.NotFound):
                    await channel.get_partial_message(old.message_id).delete()
            if len(parts) > 1:
                more = [await channel.send(part) for part in parts[1:]]
                await ctx.posts.set_more(chain_id, post.message_id, [Post(post.channel_id, m.id) for m in more])
    except discord.HTTPException as exc:
        action = "expand" if expanded else "collapse"
        log.warning("could not %s message %s: %s %s", action, post.message_id, exc.status, exc.code)


async def stop(ctx: AdapterContext, client: discord.Client, payload: discord.RawReactionActionEvent) -> None:
    """Cancel the chain behind the message, if it runs here and the reactor asked it or may manage messages."""
    found = await ctx.service.find_message(message_key(payload.message_id))
    if found is None:
        return
    chain_id = found[0].chain_id
    asker = ctx.running.get(chain_id)
    if asker is None:
        return
    if payload.user_id != asker and not _can_manage(client, payload):
        log.info("ignoring a stop reaction from someone who neither asked nor manages messages")
        return
    if ctx.service.cancel(chain_id):
        log.info("chain %s stopped by a reaction", chain_id)


def _can_manage(client: discord.Client, payload: discord.RawReactionActionEvent) -> bool:
    member = payload.member
    if member is None:
        return False
    guild = client.get_guild(payload.guild_id or 0)
    channel = guild.get_channel_or_thread(payload.channel_id) if guild else None
    permissions = channel.permissions_for(member) if channel is not None else member.guild_permissions
    return permissions.manage_messages
