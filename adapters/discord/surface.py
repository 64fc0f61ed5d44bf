"""One chain on Discord: the surface :class:`~adapters.chat.presenter.Presenter` drives. The header (an interaction
response or a reply) shows the question, then the short answer or the failure; the parts go to the outlet (a thread,
replies, or ephemeral follow-ups); stop is offered on the header while the chain runs, expand once it is done, and
its buttons (:mod:`adapters.discord.buttons`) follow the chain: Steps and Stop while it runs, Steps and Again after."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

import discord
from discord.utils import MISSING

from adapters.chat import wording
from adapters.chat.surface import Part, Posted, Progress
from adapters.discord import render
from adapters.discord.buttons import HeaderButtons
from adapters.discord.context import AdapterContext, message_key, thread_key
from adapters.discord.header import Header
from adapters.discord.outlet import Outlet, OutletOpener
from adapters.discord.overflow import Out, Spill, overflow_message, send_out
from adapters.discord.split import MESSAGE_LIMIT, split_text
from core.events import ChainFailed, ChainStarted, FinalAnswer, Step
from core.kinds import FailureKind

__all__ = ["DiscordSurface"]

log = logging.getLogger(__name__)


class DiscordSurface:
    """``full``: steps expanded from the start (private chains, or the ``full_steps`` option). ``buttons``: the
    header's buttons (``None``: none)."""

    refusals: tuple[type[Exception], ...] = (discord.HTTPException,)
    overflow_holds_all = True

    def __init__(
        self,
        *,
        ctx: AdapterContext,
        header: Header,
        open_outlet: OutletOpener,
        asker_id: int,
        bot_id: int,
        full: bool,
        buttons: HeaderButtons | None = None,
    ) -> None:
        self._ctx = ctx
        self._header = header
        self._open_outlet = open_outlet
        self._asker_id = asker_id
        self._bot_id = bot_id
        self._full = full
        self._question = ""
        self._header_message: discord.Message | None = None
        self._outlet: Outlet | None = None
        self._stop_offered = False
        self._buttons = buttons
        self._chain_id = ""

    @property
    def thread(self) -> str | None:
        thread = self._outlet.thread if self._outlet is not None else None
        return thread_key(thread.id) if thread is not None else None

    async def queued(self, position: int) -> None:
        await self._header.show(render.queued_text(position))

    async def refuse(self, failed: ChainFailed) -> None:
        if failed.kind == FailureKind.DUPLICATE:
            log.info("a redelivered request was answered already; showing nothing")
            await self._header.drop()
        else:
            await self._header.refuse(render.refusal_text(failed))

    async def open(self, started: ChainStarted) -> Posted | None:
        self._question, self._chain_id = started.question, started.chain_id
        running = self._buttons.running(started.chain_id) if self._buttons and not started.cached else MISSING
        header = await self._header.show(render.header_text(started.question, asker_id=self._asker_id), view=running)
        self._header_message = header
        self._outlet = await self._open_outlet(header)
        return _posted(header) if self._outlet.linkable else None

    async def started(self, started: ChainStarted) -> None:
        outlet = self._live
        if outlet.linkable and outlet.can_react and not started.cached:
            self._stop_offered = True
            await self._react(self._ctx.options.stop_emoji, add=True)

    async def progress(self, progress: Progress) -> None:
        header = self._header_message
        if header is None or self._ctx.pacer.busy(header.channel.id):  # the header's channel is busy: next tick
            return
        await self._header.show(render.header_progress(self._question, asker_id=self._asker_id, progress=progress))

    def step_parts(self, step: Step) -> list[Part[Out]]:
        parts = split_text(render.step_text(step, expanded=self._full))
        first, *rest = parts or [str(step.index)]
        return [
            Part(message=Out(first), steps=(step,), joinable=len(parts) == 1, chars=len(first)),
            *(Part(message=Out(part), linked=False, chars=len(part)) for part in rest),
        ]

    def answer_parts(self, answer: FinalAnswer) -> list[Part[Out]]:
        return [Part(message=Out(part), kind="answer") for part in split_text(render.answer_text(answer))]

    def failure_part(self, failed: ChainFailed, *, kept: int) -> Part[Out]:
        return Part(message=Out(split_text(render.failure_text(failed, kept=kept))[0]), kind="note")

    def join(self, first: Part[Out], second: Part[Out]) -> Part[Out] | None:
        text = first.message.text + ("\n\n" if self._full else "\n") + second.message.text
        if len(text) > MESSAGE_LIMIT:
            return None
        return Part(
            message=Out(text), kind=first.kind, steps=first.steps + second.steps, joinable=True, chars=len(text)
        )

    def overflow(self, parts: Sequence[Part[Out]], *, limit: int) -> list[Part[Out]]:
        spills = [Spill(kind=part.kind, text=self._spilled(part)) for part in parts]
        log.info("the thread cap moved %d part(s) into a file", len(parts))
        return [Part(message=overflow_message(spills, limit=limit), kind="note")]

    def _spilled(self, part: Part[Out]) -> str:
        """What the file shows for ``part``: collapsed steps in full."""
        if part.kind == "step" and part.steps and not self._full:
            return render.steps_text(list(part.steps), expanded=True)
        return part.message.text

    def turn(self) -> contextlib.AbstractAsyncContextManager[None]:
        channel = self._live.channel_id
        return contextlib.nullcontext() if channel is None else self._ctx.pacer.slot(channel)

    async def post(self, part: Part[Out]) -> Posted | None:
        message = await send_out(self._live.send, part.message)
        return _posted(message) if self._live.linkable else None

    async def answered(self, answer: FinalAnswer) -> None:
        outlet = self._live
        expandable = outlet.linkable and not self._full and answer.steps > 0
        options = self._ctx.options
        text = render.header_done(
            self._question,
            asker_id=self._asker_id,
            answer=answer,
            expand_emoji=options.expand_emoji,
            expandable=expandable,
            each=options.layout.display != "compact",
        )
        await self._edit_header(text, steps=answer.steps)
        if expandable and outlet.can_react:
            await self._react(options.expand_emoji, add=True)
        await self._withdraw_stop()

    async def failed(self, failed: ChainFailed) -> None:
        text = render.header_failed(self._question, asker_id=self._asker_id, failed=failed)
        await self._edit_header(text, steps=len(failed.steps))
        await self._withdraw_stop()

    async def gave_up(self, error: Exception) -> None:
        status, code = getattr(error, "status", None), getattr(error, "code", None)
        log.warning("showing a chain stopped: Discord refused a request (%s %s)", status, code)
        if self._header_message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self._header.notice(f"⚠️ {wording.incomplete('Discord')}")

    async def interrupted(self) -> None:
        if self._outlet is not None:
            await self._outlet.send(render.restarted_text())

    async def close(self) -> None:
        return None

    @property
    def _live(self) -> Outlet:
        assert self._outlet is not None, "the chain has not started"
        return self._outlet

    async def _edit_header(self, text: str, *, steps: int) -> None:
        """The header once the chain ended, with the buttons for then (``steps``: how many it has)."""
        view = self._buttons.ended(self._chain_id, steps=steps) if self._buttons else MISSING
        try:
            await self._header.show(text, view=view)
        except discord.HTTPException as exc:  # e.g. the interaction token expired after 15 minutes
            log.warning("could not edit the header: %s %s", exc.status, exc.code)

    async def _withdraw_stop(self) -> None:
        if self._stop_offered:
            self._stop_offered = False
            await self._react(self._ctx.options.stop_emoji, add=False)

    async def _react(self, emoji: str, *, add: bool) -> None:
        if self._header_message is None:
            return
        message = self._header_message
        try:
            async with self._ctx.pacer.gate(message.channel.id):
                if add:
                    await message.add_reaction(emoji)
                else:
                    await message.remove_reaction(emoji, discord.Object(id=self._bot_id))
        except discord.HTTPException as exc:
            log.info("could not %s reaction %s: %s %s", "add" if add else "remove", emoji, exc.status, exc.code)


def _posted(message: discord.Message) -> Posted:
    return Posted(key=message_key(message.id), location=str(message.channel.id))
