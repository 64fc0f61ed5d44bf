"""A mention of the bot inside a /think thread asks a follow-up, with the earlier question and answer as context."""

from __future__ import annotations

import logging
import re

import discord

from adapters.discord.context import AdapterContext, thread_key
from adapters.discord.flow import ChainView
from adapters.discord.header import ReplyHeader
from adapters.discord.outlet import Outlet, sends_to
from core.request import ThinkRequest

__all__ = ["on_mention", "strip_mentions"]

log = logging.getLogger(__name__)


def strip_mentions(content: str, bot_id: int) -> str:
    return " ".join(re.sub(rf"<@!?{bot_id}>", " ", content).split())


async def on_mention(ctx: AdapterContext, client: discord.Client, message: discord.Message) -> None:
    me = client.user
    if me is None or message.author.bot or me not in message.mentions:
        return
    thread = message.channel
    if not isinstance(thread, discord.Thread):
        return
    history = await ctx.service.thread_turns(thread_key(thread.id), limit=1)
    if not history:  # not a thread a chain answered in
        return
    question = strip_mentions(message.content, me.id)
    if not question:
        await message.reply("Ask your follow-up after the mention, in the same message.", mention_author=False)
        return
    request = ThinkRequest(
        question=question,
        user=f"discord:{message.author.id}",
        place=f"discord:guild:{thread.guild.id}",
        history=history,
        delivery_key=f"discord:message:{message.id}",
    )

    async def open_outlet(header: discord.Message) -> Outlet:
        return Outlet(send=sends_to(thread, ctx.gates), thread=thread)

    view = ChainView(
        ctx=ctx,
        header=ReplyHeader(message=message, gates=ctx.gates),
        open_outlet=open_outlet,
        asker_id=message.author.id,
        bot_id=me.id,
        full=ctx.options.full_steps,
    )
    try:
        await view.run(ctx.service.think(request))
    except discord.HTTPException as exc:
        log.warning("follow-up %s stopped: Discord refused a request (%s %s)", message.id, exc.status, exc.code)
