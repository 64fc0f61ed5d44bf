"""One question's chain in its Slack thread: the surface :class:`~adapters.chat.presenter.Presenter` drives.

``/think`` posts a header in the channel and the chain goes in its thread; a mention or a DM is answered in the
thread of the asking message. A progress sign sits on that head while the chain runs. Steps are collapsed, one
section each, up to 50 in one message; what does not fit the thread cap is packed into the messages left with a
note saying how much was cut (:func:`adapters.slack.overflow.fit`). Notes to the asker alone are ephemeral (or go
through a slash command's response URL).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from slack_sdk.errors import SlackApiError

from adapters.chat import wording
from adapters.chat.caps import overflow_subject
from adapters.chat.surface import Kind, Part, Posted, Progress
from adapters.slack import render
from adapters.slack.mrkdwn import escape
from adapters.slack.options import SlackOptions
from adapters.slack.overflow import fit
from adapters.slack.poster import Poster
from adapters.slack.status import ThreadStatus
from adapters.slack.tags import tags_of
from adapters.slack.triggers import Ask, message_id
from core.events import ChainFailed, ChainStarted, FinalAnswer, Step
from core.kinds import FailureKind

__all__ = ["Respond", "SlackSurface"]

log = logging.getLogger(__name__)

Respond = Callable[[str], Awaitable[object]]
_UNREACHABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


class SlackSurface:
    """The thread of ``ask``; ``respond`` answers a slash command privately; ``status``: the thread's status line,
    for live progress where Slack shows one (else a progress line in the thread)."""

    refusals: tuple[type[Exception], ...] = (SlackApiError,)
    overflow_holds_all = False

    def __init__(
        self,
        *,
        poster: Poster,
        options: SlackOptions,
        ask: Ask,
        respond: Respond | None = None,
        status: ThreadStatus | None = None,
    ) -> None:
        self._poster = poster
        self._status = status
        self._options = options
        self._ask = ask
        self._respond = respond
        self._chain_id = ""
        self._thread_ts = ask.thread_ts
        self._progress_ts: str | None = None  # the message that carries the progress sign
        self._line_ts: str | None = None  # the live progress line in the thread
        self._queued_told = False
        self._broadcast = options.broadcast_answer
        self._each = options.layout.display != "compact"  # steps of their own to react on

    @property
    def thread(self) -> str | None:
        return message_id(self._ask.channel, self._thread_ts) if self._thread_ts is not None else None

    async def queued(self, position: int) -> None:
        if not self._queued_told:  # an ephemeral cannot be edited: said once
            self._queued_told = True
            await self._tell(wording.queued(position))

    async def refuse(self, failed: ChainFailed) -> None:
        if failed.kind != FailureKind.DUPLICATE:
            await self._tell(render.refusal(failed))

    async def open(self, started: ChainStarted) -> Posted | None:
        ask = self._ask
        self._chain_id = started.chain_id
        if self._thread_ts is None:
            header = render.question_header(ask.question, ask.user, expand=self._options.expand_reaction,
                                            each=self._each)  # fmt: skip
            self._thread_ts = await self._poster.post(ask.channel, header)
            self._progress_ts = self._thread_ts
        else:
            self._progress_ts = ask.ts
        if self._progress_ts is None:
            return None
        return Posted(key=message_id(ask.channel, self._progress_ts), location=self._thread_ts or "")

    async def started(self, started: ChainStarted) -> None:
        if self._progress_ts is None:
            return
        try:
            await self._poster.react(self._ask.channel, self._progress_ts, self._options.progress_reaction)
        except SlackApiError as exc:  # only a sign: the chain goes on without it
            log.warning("slack: could not show the progress sign: %s", exc.response.get("error"))
            self._progress_ts = None

    async def progress(self, progress: Progress) -> None:
        """The thread's status line, set again at each tick (a reply takes it down); where Slack refuses those, a
        line in the thread, posted at the first tick, edited after and deleted when the chain ends."""
        channel, pacer = self._ask.channel, self._poster.pacer
        if self._thread_ts is None:
            return
        if self._status is not None and self._line_ts is None and await self._status.show(self._thread_ts, progress):
            return
        if pacer.busy(channel):  # a post is under way or waiting: the next tick
            return
        line = render.progress_line(progress, sign=self._options.progress_reaction)
        if self._line_ts is None:
            async with pacer.slot(channel):
                self._line_ts = await self._poster.send(channel, line, thread_ts=self._thread_ts)
        else:
            async with pacer.gate(channel):
                await self._poster.update(channel, self._line_ts, line)

    def step_parts(self, step: Step) -> list[Part[render.Rendered]]:
        message = render.collapsed_steps(self._chain_id, [step])
        return [Part(message=message, steps=(step,), joinable=True, chars=_chars(message))]

    def answer_parts(self, answer: FinalAnswer) -> list[Part[render.Rendered]]:
        rendered = render.answer(answer, expand=self._options.expand_reaction, each=self._each)
        return [Part(message=m, kind="answer") for m in rendered]

    def failure_part(self, failed: ChainFailed, *, kept: int) -> Part[render.Rendered]:
        return Part(message=render.failure(failed, kept=kept), kind="note")

    def join(self, first: Part[render.Rendered], second: Part[render.Rendered]) -> Part[render.Rendered] | None:
        steps = first.steps + second.steps
        if len(steps) > render.MAX_BLOCKS:
            return None
        message = render.collapsed_steps(self._chain_id, steps)
        chars = _chars(message)
        if chars > render.MESSAGE_TEXT:
            return None
        return Part(message=message, steps=steps, joinable=True, chars=chars)

    def overflow(self, parts: Sequence[Part[render.Rendered]], *, limit: int) -> list[Part[render.Rendered]]:
        kinds = {part.kind for part in parts}
        subject = overflow_subject(steps="step" in kinds, answer="answer" in kinds)
        known = {step.index: step for part in parts for step in part.steps}
        packed = fit([part.message for part in parts], 1, subject=subject, limit=limit)
        kind: Kind = "step" if kinds == {"step"} else "answer"
        return [Part(message=m, kind=kind, steps=_shown(m, known)) for m in packed]

    def turn(self) -> contextlib.AbstractAsyncContextManager[None]:
        return self._poster.pacer.slot(self._ask.channel)

    async def post(self, part: Part[render.Rendered]) -> Posted | None:
        broadcast = self._broadcast and part.kind == "answer"
        self._broadcast = self._broadcast and not broadcast  # only the answer's first message goes to the channel
        ts = await self._poster.send(self._ask.channel, part.message, thread_ts=self._thread_ts, broadcast=broadcast)
        return Posted(key=message_id(self._ask.channel, ts), location=self._thread_ts or "")

    async def answered(self, answer: FinalAnswer) -> None:
        await self.close()

    async def failed(self, failed: ChainFailed) -> None:
        await self.close()

    async def gave_up(self, error: Exception) -> None:
        code = error.response.get("error") if isinstance(error, SlackApiError) else None
        log.warning("slack: giving up on chain %s: %s", self._chain_id or "(not started)", code)
        if code in _UNREACHABLE:
            await self._tell(wording.CANT_POST)

    async def interrupted(self) -> None:
        if self._thread_ts is not None:
            note = render.note(f":warning: {escape(wording.RESTARTED)}")
            await self._poster.send(self._ask.channel, note, thread_ts=self._thread_ts)

    async def close(self) -> None:
        if self._status is not None:
            await self._status.clear()
        line, self._line_ts = self._line_ts, None
        if line is not None:
            try:
                async with self._poster.pacer.gate(self._ask.channel):
                    await self._poster.delete(self._ask.channel, line)
            except SlackApiError as exc:
                log.warning("slack: could not remove the progress line: %s", exc.response.get("error"))
        ts, self._progress_ts = self._progress_ts, None
        if ts is None:
            return
        try:
            await self._poster.react(self._ask.channel, ts, self._options.progress_reaction, add=False)
        except SlackApiError as exc:
            log.warning("slack: could not clear the progress sign: %s", exc.response.get("error"))

    async def _tell(self, text: str) -> None:
        """A private note to the asker: through the slash command's response URL, else an ephemeral message."""
        ask = self._ask
        try:
            if self._respond is not None:
                await self._respond(text)
            else:
                thread = ask.thread_ts if ask.follow_up else None
                await self._poster.ephemeral(ask.channel, ask.user, text, thread_ts=thread)
        except SlackApiError as exc:
            log.warning("slack: could not tell %s: %s", ask.user, exc.response.get("error"))


def _chars(message: render.Rendered) -> int:
    return sum(map(render.block_text, message.blocks))


def _shown(message: render.Rendered, known: dict[int, Step]) -> tuple[Step, ...]:
    """The steps whose blocks ``message`` holds."""
    numbers = [t.step for t in tags_of(message.blocks) if t.kind == "s" and t.step is not None]
    return tuple(known[n] for n in numbers if n in known)
