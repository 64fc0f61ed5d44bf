"""The message that heads a chain: an interaction's response for /think, or a reply for a follow-up mention."""

from __future__ import annotations

import contextlib
import logging
from typing import Protocol

import discord
from discord.utils import MISSING

from adapters.chat.pacing import ChannelPacer

__all__ = ["Header", "InteractionHeader", "ReplyHeader"]

log = logging.getLogger(__name__)


class Header(Protocol):
    async def show(self, text: str, *, view: discord.ui.View | None = MISSING) -> discord.Message:
        """Post the header, or edit it when it is already there; returns the message. ``view``: its buttons
        (``None`` takes them off; left out, they stay as they are)."""
        ...

    async def refuse(self, text: str) -> None:
        """Tell the asker privately why nothing will happen; no header stays behind."""
        ...

    async def drop(self) -> None:
        """Remove any placeholder silently (a duplicate delivery)."""
        ...

    async def notice(self, text: str) -> None:
        """A private note to the asker (a missing permission)."""
        ...


class InteractionHeader:
    """The deferred response of a /think interaction (ephemeral when ``private``)."""

    def __init__(self, *, interaction: discord.Interaction, private: bool) -> None:
        self._interaction = interaction
        self._private = private

    async def show(self, text: str, *, view: discord.ui.View | None = MISSING) -> discord.Message:
        return await self._interaction.edit_original_response(content=text, view=view)

    async def refuse(self, text: str) -> None:
        if self._private:
            await self._interaction.edit_original_response(content=text)
            return
        # The first follow-up after a public deferral would fill in the public "thinking" message: remove it first.
        await self._interaction.delete_original_response()
        await self._interaction.followup.send(text, ephemeral=True)

    async def drop(self) -> None:
        with contextlib.suppress(discord.HTTPException):
            await self._interaction.delete_original_response()

    async def notice(self, text: str) -> None:
        await self._interaction.followup.send(text, ephemeral=True)


class ReplyHeader:
    """A reply to the user's message (a follow-up mention in a thread): posted in the channel's turn, edited after."""

    def __init__(self, *, message: discord.Message, pacer: ChannelPacer[int]) -> None:
        self._message = message
        self._pacer = pacer
        self._channel = message.channel.id
        self._header: discord.Message | None = None

    async def show(self, text: str, *, view: discord.ui.View | None = MISSING) -> discord.Message:
        if self._header is None:
            self._header = await self._reply(text, view=view)
        else:
            async with self._pacer.gate(self._channel):
                self._header = await self._header.edit(content=text, view=view)
        return self._header

    async def refuse(self, text: str) -> None:
        if self._header is not None:
            await self.show(text)
            return
        await self._reply(text)

    async def drop(self) -> None:
        if self._header is not None:
            with contextlib.suppress(discord.HTTPException):
                async with self._pacer.gate(self._channel):
                    await self._header.delete()

    async def notice(self, text: str) -> None:
        await self._reply(text)

    async def _reply(self, text: str, *, view: discord.ui.View | None = MISSING) -> discord.Message:
        async with self._pacer.slot(self._channel):
            if view:  # discord.py's send takes a view or none at all
                return await self._message.reply(text, mention_author=False, view=view)
            return await self._message.reply(text, mention_author=False)
