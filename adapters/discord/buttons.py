"""Buttons under a chain's header, in addition to its reactions: **Steps** (a private, paged view of the chain for
whoever clicks), **Stop** while it runs (the asker or a moderator) and **Again** (a fresh run of the question, through
the same limits, as a new chain).

Every button is a :class:`discord.ui.DynamicItem` whose custom id names its chain (and page): registered once with
``client.add_dynamic_items(*DYNAMIC_ITEMS)``, a click is answered by any process, after a restart too, from the
chain's record through the port. Nothing is kept in memory between clicks. Custom ids stay far below Discord's 100
characters (a chain id is 16 hex digits).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import discord

from adapters.chat.reacting import stop_chain
from adapters.chat.wording import STOP_ENDED, STOP_REFUSED, STOP_UNREACHABLE
from adapters.discord.context import AdapterContext
from adapters.discord.steps_view import chain_pages
from core.state import ChainRecord

__all__ = ["DYNAMIC_ITEMS", "HeaderButtons", "StepsButton", "pager"]

log = logging.getLogger(__name__)

_CHAIN = r"(?P<chain>[0-9a-f]{1,32})"
GONE = "-# This chain is no longer kept, so there is nothing to show."
_STOP_ANSWERS = {"refused": STOP_REFUSED, "ended": STOP_ENDED, "unreachable": STOP_UNREACHABLE}


def _context(interaction: discord.Interaction) -> AdapterContext:
    ctx = getattr(interaction.client, "ctx", None)
    if not isinstance(ctx, AdapterContext):
        raise TypeError("a Thinkbot button was clicked on a client without the adapter's context")
    return ctx


async def _chain(interaction: discord.Interaction, chain_id: str) -> tuple[AdapterContext, ChainRecord] | None:
    """The adapter's context and the chain's record; when the record is gone the clicker is told so, privately."""
    ctx = _context(interaction)
    record = await ctx.service.record(chain_id)
    if record is None:
        await interaction.response.send_message(GONE, ephemeral=True)
        return None
    return ctx, record


def _button(label: str, emoji: str, style: discord.ButtonStyle, custom_id: str) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label, emoji=emoji, style=style, custom_id=custom_id)


class StepsButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=f"thinkbot:steps:{_CHAIN}"):
    """Opens the first page of the chain's steps, seen only by the clicker (an ephemeral message)."""

    def __init__(self, chain_id: str) -> None:
        super().__init__(_button("Steps", "📜", discord.ButtonStyle.secondary, f"thinkbot:steps:{chain_id}"))
        self.chain_id = chain_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StepsButton:
        return cls(match["chain"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _show_page(interaction, self.chain_id, 0, opening=True)


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"thinkbot:page:{_CHAIN}:(?P<page>\d{{1,5}}):(?P<role>[pcn])",
):
    """◀ (``p``) and ▶ (``n``) turn the private view to ``page``; ``c`` is the disabled page counter between them."""

    def __init__(self, chain_id: str, page: int, role: str, *, label: str, disabled: bool) -> None:
        custom_id = f"thinkbot:page:{chain_id}:{page}:{role}"
        style = discord.ButtonStyle.secondary if role == "c" else discord.ButtonStyle.primary
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id, disabled=disabled))
        self.chain_id = chain_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        return cls(match["chain"], int(match["page"]), match["role"], label="·", disabled=False)

    async def callback(self, interaction: discord.Interaction) -> None:
        await _show_page(interaction, self.chain_id, self.page, opening=False)


async def _show_page(interaction: discord.Interaction, chain_id: str, page: int, *, opening: bool) -> None:
    """Page ``page`` of the chain's private view: a new ephemeral message (``opening``), else the clicked one turned
    (the chain may have grown or the page gone: the nearest page then)."""
    found = await _chain(interaction, chain_id)
    if found is None:
        return
    pages = chain_pages(found[1])
    page = min(max(page, 0), len(pages) - 1)
    view = pager(chain_id, page, len(pages))
    if opening:
        await interaction.response.send_message(pages[page].text, view=view, ephemeral=True)
    else:
        await interaction.response.edit_message(content=pages[page].text, view=view)


def pager(chain_id: str, page: int, total: int) -> discord.ui.View:
    """◀ ``page + 1 / total`` ▶ under a page of the private view."""
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(chain_id, max(page - 1, 0), "p", label="◀", disabled=page <= 0))
    view.add_item(PageButton(chain_id, page, "c", label=f"{page + 1} / {total}", disabled=True))
    view.add_item(PageButton(chain_id, page + 1, "n", label="▶", disabled=page + 1 >= total))
    return view


class StopButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=f"thinkbot:stop:{_CHAIN}"):
    """Stops a running chain for its asker or a moderator (Manage Messages here), under the reactions' rules."""

    def __init__(self, chain_id: str) -> None:
        super().__init__(_button("Stop", "⏹️", discord.ButtonStyle.danger, f"thinkbot:stop:{chain_id}"))
        self.chain_id = chain_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StopButton:
        return cls(match["chain"])

    async def callback(self, interaction: discord.Interaction) -> None:
        found = await _chain(interaction, self.chain_id)
        if found is None:
            return
        ctx, record = found

        async def moderates() -> bool:
            return interaction.guild_id is not None and interaction.permissions.manage_messages

        outcome = await stop_chain(ctx.service, record, user=f"discord:{interaction.user.id}", moderates=moderates)
        # Stopped here or by the process thinking it: that process's header says so and loses this button.
        if outcome == "stopped":
            await interaction.response.defer()
        else:
            await interaction.response.send_message(_STOP_ANSWERS[outcome], ephemeral=True)


class AgainButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=f"thinkbot:again:{_CHAIN}(?P<private>:p)?"):
    """Thinks about the chain's question again, afresh, for whoever clicks: a new chain under a new header, held to
    the clicker's limits like /think (``:p``: privately, as the first one was)."""

    def __init__(self, chain_id: str, *, private: bool) -> None:
        custom_id = f"thinkbot:again:{chain_id}" + (":p" if private else "")
        super().__init__(_button("Again", "🔁", discord.ButtonStyle.secondary, custom_id))
        self.chain_id = chain_id
        self.private = private

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AgainButton:
        return cls(match["chain"], private=bool(match["private"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        # Imported here: the command builds headers with these buttons.
        from adapters.discord.command import run_think

        found = await _chain(interaction, self.chain_id)
        if found is None:
            return
        ctx, record = found
        strategy = record.strategy if record.strategy in ctx.options.strategies else None
        log.info("again: a fresh run of chain %s's question", self.chain_id)
        await run_think(ctx, interaction, question=record.question, strategy=strategy, private=self.private, fresh=True)


DYNAMIC_ITEMS = (StepsButton, PageButton, StopButton, AgainButton)


@dataclass(frozen=True, slots=True, kw_only=True)
class HeaderButtons:
    """The buttons a header offers. ``again``: whether Again is offered (not under a follow-up in a thread, whose
    question needs its thread); ``private``: the chain was asked privately (Again asks privately too)."""

    again: bool = True
    private: bool = False

    def running(self, chain_id: str) -> discord.ui.View:
        """While the chain runs: Steps (so far) and Stop."""
        view = discord.ui.View(timeout=None)
        view.add_item(StepsButton(chain_id))
        view.add_item(StopButton(chain_id))
        return view

    def ended(self, chain_id: str, *, steps: int) -> discord.ui.View | None:
        """Once it ended: Steps when it has any, and Again (``None``: no button at all)."""
        view = discord.ui.View(timeout=None)
        if steps:
            view.add_item(StepsButton(chain_id))
        if self.again:
            view.add_item(AgainButton(chain_id, private=self.private))
        return view if view.children else None
