"""A mention of the bot inside a /think thread asks a follow-up, with the earlier questions and answers there as
context (as many as ``options.history_turns``, the same on every platform)."""

from __future__ import annotations

import re

import discord

from adapters.chat import wording
from adapters.chat.followup import earlier_turns
from adapters.discord.asker import asked_where, roles_of
from adapters.discord.buttons import HeaderButtons
from adapters.discord.command import show
from adapters.discord.context import AdapterContext, thread_key
from adapters.discord.header import ReplyHeader
from adapters.discord.outlet import Outlet, sends_to
from adapters.discord.surface import DiscordSurface
from core.request import ThinkRequest

__all__ = ["on_mention", "strip_mentions"]


def strip_mentions(content: str, bot_id: int) -> str:
    return " ".join(re.sub(rf"<@!?{bot_id}>", " ", content).split())


async def on_mention(ctx: AdapterContext, client: discord.Client, message: discord.Message) -> None:
    me = client.user
    if me is None or message.author.bot or me not in message.mentions:
        return
    thread = message.channel
    if not isinstance(thread, discord.Thread):
        return
    history = await earlier_turns(ctx.service, thread_key(thread.id), turns=ctx.options.history_turns)
    if history is None:  # not a thread a chain answered in
        return
    question = strip_mentions(message.content, me.id)
    if not question:
        async with ctx.pacer.slot(thread.id):
            await message.reply(wording.EMPTY_FOLLOW_UP, mention_author=False)
        return
    request = ThinkRequest(
        question=question,
        user=f"discord:{message.author.id}",
        place=f"discord:guild:{thread.guild.id}",
        history=history,
        delivery_key=f"discord:message:{message.id}",
        channel=asked_where(thread),
        roles=roles_of(message.author),
    )
    settings = await ctx.service.place_settings(request.place)

    async def open_outlet(header: discord.Message) -> Outlet:
        return sends_to(thread)

    surface = DiscordSurface(
        ctx=ctx,
        header=ReplyHeader(message=message, pacer=ctx.pacer),
        open_outlet=open_outlet,
        asker_id=message.author.id,
        bot_id=me.id,
        full=ctx.options.full_steps,
        buttons=HeaderButtons(again=False) if ctx.options.buttons else None,  # a follow-up needs its thread
    )
    await show(ctx, surface, request, display=settings.display)
