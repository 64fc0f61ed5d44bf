"""Shows one chain: header, steps into the outlet as they arrive, the answer, and the header's final edit."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import discord

from adapters.chat.caps import ThreadCap
from adapters.discord.context import AdapterContext, message_key, thread_key
from adapters.discord.header import Header
from adapters.discord.outlet import Outlet, OutletOpener
from adapters.discord.pacing import Batcher, Piece
from adapters.discord.render import (
    answer_text,
    failure_text,
    header_done,
    header_failed,
    header_text,
    queued_text,
    refusal_text,
    step_text,
)
from adapters.discord.split import split_text
from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step
from core.kinds import FailureKind

__all__ = ["ChainView"]

log = logging.getLogger(__name__)


class ChainView:
    """Renders the events of one ``service.think`` call. ``full``: steps expanded from the start."""

    def __init__(
        self, *, ctx: AdapterContext, header: Header, open_outlet: OutletOpener, asker_id: int, bot_id: int, full: bool
    ) -> None:
        self._ctx = ctx
        self._header = header
        self._open_outlet = open_outlet
        self._asker_id = asker_id
        self._bot_id = bot_id
        self._full = full
        self._chain_id: str | None = None
        self._question = ""
        self._header_message: discord.Message | None = None
        self._outlet: Outlet | None = None
        self._batcher: Batcher | None = None
        self._stop_offered = False

    async def run(self, events: AsyncIterator[Event]) -> None:
        try:
            async with contextlib.aclosing(events):  # type: ignore[type-var]
                async for event in events:
                    await self._on(event)
        finally:
            if self._chain_id is not None:
                self._ctx.running.pop(self._chain_id, None)
            if self._batcher is not None:
                await self._batcher.abort()

    async def _on(self, event: Event) -> None:
        if isinstance(event, ChainQueued):
            if self._chain_id is None:
                await self._header.show(queued_text(event.position))
        elif isinstance(event, ChainStarted):
            await self._start(event)
        elif isinstance(event, Step):
            self._put_step(event)
        elif isinstance(event, FinalAnswer):
            await self._answer(event)
        elif self._chain_id is None:
            await self._refused(event)
        else:
            await self._failed(event)

    async def _start(self, event: ChainStarted) -> None:
        self._chain_id, self._question = event.chain_id, event.question
        header = await self._header.show(header_text(event.question, asker_id=self._asker_id))
        self._header_message = header
        self._ctx.running[event.chain_id] = self._asker_id
        outlet = await self._open_outlet(header)
        self._outlet = outlet
        if outlet.linkable:
            await self._ctx.service.link_message(
                message_key(header.id), chain_id=event.chain_id, location=str(header.channel.id)
            )
        self._batcher = Batcher(
            send=outlet.send,
            posted=self._posted,
            joiner="\n\n" if self._full else "\n",
            cap=ThreadCap(limit=self._ctx.options.thread_messages),
        )
        if outlet.linkable and outlet.can_react and not event.cached:
            self._stop_offered = True
            await self._react(self._ctx.options.stop_emoji, add=True)

    def _put_step(self, step: Step) -> None:
        assert self._batcher is not None
        parts = split_text(step_text(step, expanded=self._full))
        first, *rest = parts or [str(step.index)]
        spill = None if self._full else step_text(step, expanded=True)  # a file shows a folded step in full
        self._batcher.put(Piece(text=first, steps=(step.index,), mergeable=len(parts) == 1, spill=spill))
        self._batcher.put(*(Piece(text=part, linked=False) for part in rest))

    async def _answer(self, event: FinalAnswer) -> None:
        assert self._batcher is not None
        assert self._outlet is not None
        assert self._chain_id is not None
        self._batcher.put(*(Piece(text=part, kind="answer") for part in split_text(answer_text(event))))
        if not await self._drain():
            return
        expandable = self._outlet.linkable and not self._full and event.steps > 0
        text = header_done(
            self._question,
            asker_id=self._asker_id,
            answer=event,
            expand_emoji=self._ctx.options.expand_emoji,
            expandable=expandable,
        )
        await self._edit_header(text)
        if self._outlet.thread is not None:
            await self._ctx.service.link_thread(thread_key(self._outlet.thread.id), chain_id=self._chain_id)
        if expandable and self._outlet.can_react:
            await self._react(self._ctx.options.expand_emoji, add=True)
        await self._withdraw_stop()

    async def _refused(self, event: ChainFailed) -> None:
        if event.kind == FailureKind.DUPLICATE:
            log.info("a redelivered request was answered already; showing nothing")
            await self._header.drop()
        else:
            await self._header.refuse(refusal_text(event))

    async def _failed(self, event: ChainFailed) -> None:
        assert self._batcher is not None
        assert self._outlet is not None
        self._batcher.put(Piece(text=split_text(failure_text(event))[0], kind="note"))
        if not await self._drain():
            return
        await self._edit_header(header_failed(self._question, asker_id=self._asker_id, failed=event))
        await self._withdraw_stop()

    async def _drain(self) -> bool:
        """Wait for every queued message; on a refused post, tell the asker and report ``False``."""
        assert self._batcher is not None
        try:
            await self._batcher.close()
        except discord.HTTPException as exc:
            log.warning("posting a chain's messages failed: %s %s", exc.status, exc.code)
            with contextlib.suppress(discord.HTTPException):
                await self._header.notice("⚠️ Discord refused one of my messages here, so the chain is incomplete.")
            return False
        return True

    async def _posted(self, message: discord.Message, steps: tuple[int, ...], linked: bool) -> None:
        assert self._outlet is not None
        assert self._chain_id is not None
        if not (self._outlet.linkable and linked):
            return
        await self._ctx.service.link_message(
            message_key(message.id), chain_id=self._chain_id, steps=steps, location=str(message.channel.id)
        )

    async def _edit_header(self, text: str) -> None:
        try:
            await self._header.show(text)
        except discord.HTTPException as exc:  # e.g. the interaction token expired after 15 minutes
            log.warning("could not edit the header: %s %s", exc.status, exc.code)

    async def _withdraw_stop(self) -> None:
        if self._stop_offered:
            self._stop_offered = False
            await self._react(self._ctx.options.stop_emoji, add=False)

    async def _react(self, emoji: str, *, add: bool) -> None:
        if self._header_message is None:
            return
        try:
            async with self._ctx.gates(self._header_message.channel.id):
                if add:
                    await self._header_message.add_reaction(emoji)
                else:
                    await self._header_message.remove_reaction(emoji, discord.Object(id=self._bot_id))
        except discord.HTTPException as exc:
            log.info("could not %s reaction %s: %s %s", "add" if add else "remove", emoji, exc.status, exc.code)
