""" "Think about this message": a message command (Apps, in a message's menu) that thinks about that message's text
and answers in its thread, with the same presentation as /think.

Deferred first (privately: the only thing the interaction itself shows is a pointer to the thread, or why nothing
happens). The chain's header and its steps go to the thread of the message: the thread started from it (made on the
first thing shown, so a refused question makes none), the thread it is in, or the one it already has. Where no thread
can be (a DM, a missing permission, a channel without threads) the header replies to the message and the steps reply
to the header, as /think does there. The message's text is untrusted like any question: the core cleans it and
holds it to the same limits; a message without text is refused here.
"""

from __future__ import annotations

import contextlib
import logging

import discord
from discord import app_commands
from discord.utils import MISSING

from adapters.chat.about_message import NO_TEXT, TITLE, question_of
from adapters.discord.asker import asked_where, place_of, roles_of
from adapters.discord.buttons import HeaderButtons
from adapters.discord.command import deferred, show
from adapters.discord.context import AdapterContext
from adapters.discord.outlet import Outlet, open_in_channel, replies_to, sends_to
from adapters.discord.render import thread_name
from adapters.discord.surface import DiscordSurface
from core.request import ThinkRequest

__all__ = ["MessageHeader", "build_message_command", "run_think_about"]

log = logging.getLogger(__name__)


def build_message_command(ctx: AdapterContext) -> app_commands.ContextMenu:
    """The message command, synced with /think (a name only: Discord takes no description or options for it)."""

    async def think_about(interaction: discord.Interaction, message: discord.Message) -> None:
        await run_think_about(ctx, interaction, message)

    return app_commands.ContextMenu(name=TITLE, callback=think_about)


async def run_think_about(ctx: AdapterContext, interaction: discord.Interaction, message: discord.Message) -> None:
    if not await deferred(interaction, ephemeral=True):
        return
    question = question_of(message.content)
    if question is None:
        await interaction.edit_original_response(content=NO_TEXT)
        return
    user = interaction.user.id
    place = place_of(interaction)
    request = ThinkRequest(
        question=question,
        user=f"discord:{user}",
        place=place,
        delivery_key=f"discord:interaction:{interaction.id}",
        channel=asked_where(message.channel),
        roles=roles_of(interaction.user),
    )
    settings = await ctx.service.place_settings(place)
    header = MessageHeader(ctx=ctx, interaction=interaction, target=message, name=thread_name(question))

    async def open_outlet(posted: discord.Message) -> Outlet:
        return header.outlet(posted)

    bot_id = interaction.client.user.id if interaction.client.user else 0
    surface = DiscordSurface(
        ctx=ctx,
        header=header,
        open_outlet=open_outlet,
        asker_id=user,
        bot_id=bot_id,
        full=ctx.options.full_steps,
        buttons=HeaderButtons(again=False) if ctx.options.buttons else None,  # Again needs a channel, not a thread
    )
    await show(ctx, surface, request, display=settings.display)


class MessageHeader:
    """The chain's header in the target message's thread (or replying to the message where there is none). The
    interaction's private response says where it is, or why nothing happens; notes to the asker stay private."""

    def __init__(
        self, *, ctx: AdapterContext, interaction: discord.Interaction, target: discord.Message, name: str
    ) -> None:
        self._ctx = ctx
        self._interaction = interaction
        self._target = target
        self._name = name
        self._where: Outlet | None = None
        self._header: discord.Message | None = None
        self._notes: list[str] = []

    def outlet(self, posted: discord.Message) -> Outlet:
        """Where the steps go: the header's thread, else replies to the header."""
        where = self._where
        if where is not None and where.thread is not None:
            return sends_to(where.thread, can_react=where.can_react)
        return replies_to(posted, can_react=where.can_react if where is not None else True)

    async def show(self, text: str, *, view: discord.ui.View | None = MISSING) -> discord.Message:
        if self._header is not None:
            async with self._ctx.pacer.gate(self._header.channel.id):
                self._header = await self._header.edit(content=text, view=view)
            return self._header
        where = self._where = await self._open()
        assert where.channel_id is not None
        async with self._ctx.pacer.slot(where.channel_id):
            self._header = await self._post(where, text, view)
        await self._point(self._header)
        return self._header

    async def _post(self, where: Outlet, text: str, view: discord.ui.View | None) -> discord.Message:
        if where.thread is not None:
            return await (where.thread.send(text, view=view) if view else where.thread.send(text))
        if view:  # discord.py's send takes a view or none at all
            return await self._target.reply(text, mention_author=False, view=view)
        return await self._target.reply(text, mention_author=False)

    async def refuse(self, text: str) -> None:
        if self._header is not None:
            await self.show(text)
            return
        await self._interaction.edit_original_response(content=text)

    async def drop(self) -> None:
        with contextlib.suppress(discord.HTTPException):
            await self._interaction.delete_original_response()
        if self._header is not None:
            with contextlib.suppress(discord.HTTPException):
                async with self._ctx.pacer.gate(self._header.channel.id):
                    await self._header.delete()

    async def notice(self, text: str) -> None:
        if self._header is None:  # said with the pointer, which fills in the private "thinking" response
            self._notes.append(text)
            return
        await self._interaction.followup.send(text, ephemeral=True)

    async def _point(self, header: discord.Message) -> None:
        """The private response: where the chain is, and any note gathered on the way."""
        where = f"in <#{header.channel.id}>" if self._where and self._where.thread else "below the message"
        text = "\n".join([f"Thinking about that message {where}: {header.jump_url}", *self._notes])
        try:
            await self._interaction.edit_original_response(content=text)
        except discord.HTTPException as exc:
            log.info("could not point to the header: %s %s", exc.status, exc.code)

    async def _open(self) -> Outlet:
        """The target's thread: the one it is in, the one it has, or a new one; else replies to it."""
        target, channel = self._target, self._target.channel
        if isinstance(channel, discord.Thread):
            return sends_to(channel)
        if self._interaction.guild_id is None:
            return replies_to(target)
        thread = target.thread or await _existing_thread(target)
        if thread is not None:
            return sends_to(thread)
        return await open_in_channel(
            target,
            notice=self,
            pacer=self._ctx.pacer,
            permissions=self._interaction.app_permissions,
            name=self._name,
            archive_minutes=self._ctx.options.thread_archive_minutes,
        )


async def _existing_thread(target: discord.Message) -> discord.Thread | None:
    """The thread started from ``target`` that discord.py has not cached (an archived one): Discord flags such a
    message, and the thread has the message's id."""
    if not target.flags.has_thread:
        return None
    try:
        return await target.fetch_thread()
    except discord.HTTPException as exc:
        log.info("could not fetch the message's thread: %s %s", exc.status, exc.code)
        return None
