"""Where a chain's steps go: a thread from the header, replies to the header, or ephemeral follow-ups.

An outlet only sends; the surface holds the channel's turn (``ChannelPacer.slot(outlet.channel_id)``) around each
send, so posts keep Discord's per-channel pace and discord.py's rate-limit bookkeeping stays exact."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import discord

from adapters.chat.pacing import ChannelPacer
from adapters.discord.header import Header

__all__ = ["Outlet", "OutletOpener", "Send", "missing_permissions", "open_in_channel", "replies_to", "sends_to"]

log = logging.getLogger(__name__)


class Send(Protocol):
    def __call__(self, text: str, file: discord.File | None = None) -> Awaitable[discord.Message]: ...


@dataclass(frozen=True, slots=True)
class Outlet:
    """``linkable``: its messages take reactions (not ephemeral ones). ``thread``: the thread the steps go to.
    ``channel_id``: the channel whose pace its posts keep (``None``: ephemeral follow-ups, which have none)."""

    send: Send
    channel_id: int | None
    linkable: bool = True
    can_react: bool = True
    thread: discord.Thread | None = None


OutletOpener = Callable[[discord.Message], Awaitable[Outlet]]

THREADS = {"create_public_threads": "Create Public Threads", "send_messages_in_threads": "Send Messages in Threads"}
REACTIONS = {"add_reactions": "Add Reactions"}


def missing_permissions(permissions: discord.Permissions, needed: dict[str, str]) -> list[str]:
    """The display names of the ``needed`` permissions ``permissions`` lacks."""
    return [name for flag, name in needed.items() if not getattr(permissions, flag)]


def replies_to(header: discord.Message, *, can_react: bool = True) -> Outlet:
    reference = header.to_reference(fail_if_not_exists=False)

    async def send(text: str, file: discord.File | None = None) -> discord.Message:
        return await header.channel.send(text, reference=reference, file=file)  # type: ignore[arg-type]

    return Outlet(send=send, channel_id=header.channel.id, can_react=can_react)


def sends_to(thread: discord.Thread, *, can_react: bool = True) -> Outlet:
    async def send(text: str, file: discord.File | None = None) -> discord.Message:
        return await thread.send(text, file=file)  # type: ignore[arg-type]

    return Outlet(send=send, channel_id=thread.id, can_react=can_react, thread=thread)


def _named(names: list[str]) -> str:
    listed = " and ".join(f"**{name}**" for name in names)
    return f"{listed} permission{'s' if len(names) > 1 else ''}"


async def open_in_channel(
    header: discord.Message,
    *,
    notice: Header,
    pacer: ChannelPacer[int],
    permissions: discord.Permissions,
    name: str,
    archive_minutes: int,
) -> Outlet:
    """A public thread from ``header`` when the bot may make one; else replies, and the asker is told why."""
    lacking_reactions = missing_permissions(permissions, REACTIONS)
    lacking = missing_permissions(permissions, THREADS)
    notes = []
    if lacking_reactions:
        notes.append(f"I'm missing the {_named(lacking_reactions)} here, so I can't add the reaction buttons.")
    thread = None
    if not lacking:
        try:
            async with pacer.gate(header.channel.id):
                thread = await header.create_thread(name=name, auto_archive_duration=archive_minutes)  # type: ignore[arg-type]
        except discord.Forbidden:
            lacking = ["Create Public Threads"]
        except discord.HTTPException as exc:  # e.g. a thread already hangs off the message: replies will do
            log.warning("could not start a thread: %s %s", exc.status, exc.code)
    if lacking:
        notes.append(f"I'm missing the {_named(lacking)} here, so the steps follow as replies instead of a thread.")
    if notes:
        await notice.notice(" ".join(notes))
    can_react = not lacking_reactions
    return replies_to(header, can_react=can_react) if thread is None else sends_to(thread, can_react=can_react)
