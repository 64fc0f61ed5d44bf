"""One question's chain as a Slack streamed message: the surface the :class:`~adapters.chat.presenter.Presenter`
drives in ``stream`` display.

The chain goes in the same thread as in ``thread`` display, and everything a stream does not change (the header of
``/think``, the progress sign, private notes) is the :class:`~adapters.slack.surface.SlackSurface`'s. When the chain
starts, a streamed message is started there with a plan (``chat.startStream``, ``task_display_mode="plan"``) and
step 1 in progress; each whole step becomes a task, the step being thought shows in progress with the end of what
the model has written of it (at the live progress pace), and the answer follows the plan as markdown before
``chat.stopStream`` ends it (:class:`~adapters.slack.stream_plan.StreamPlan` decides what, within Slack's limits).
Appending is not posting: it takes no turn of the channel's pace and no message of the thread cap
(``Posted.counted``). The message is linked to every step it shows, so the expand reaction on it shows them in full
below it (:mod:`adapters.slack.reactions`).

Where ``chat.startStream`` is refused the chain shows as posts (``thread`` display), and a refusal of streams as such
is remembered for the workspace (:class:`~adapters.slack.refusals.Refusals`), so later chains there go
straight to posts. If Slack stops taking appends mid-chain, the rest of the chain goes out as posts too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias, cast

from slack_sdk.errors import SlackApiError

from adapters.chat import wording
from adapters.chat.surface import Part, Posted, Progress
from adapters.slack import render
from adapters.slack.mrkdwn import escape
from adapters.slack.poster import Poster
from adapters.slack.refusals import Refusals
from adapters.slack.stream_links import stream_location
from adapters.slack.stream_plan import StreamPlan
from adapters.slack.stream_render import Chunk, answer_markdown, note
from adapters.slack.surface import SlackSurface
from adapters.slack.triggers import Ask, message_id
from core.events import ChainFailed, ChainStarted, FinalAnswer, Step

__all__ = ["StreamSurface"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Step:
    step: Step


@dataclass(frozen=True, slots=True)
class _End:
    """How the streamed message ends: the answer, or a failure (``kept`` steps shown)."""

    event: FinalAnswer | ChainFailed
    kept: int = 0


Message: TypeAlias = "_Step | _End | render.Rendered"


class StreamSurface:
    refusals: tuple[type[Exception], ...] = (SlackApiError,)
    overflow_holds_all = False

    def __init__(self, *, posts: SlackSurface, poster: Poster, ask: Ask, expand: str, refused: Refusals) -> None:
        self._posts = posts
        self._poster = poster
        self._ask = ask
        self._expand = expand
        self._refused = refused
        self._plan = StreamPlan()
        self._lock = asyncio.Lock()  # appends go out one at a time, in order (progress ticks run beside posts)
        self._ts: str | None = None  # the streamed message while it streams
        self._thread_ts = ""
        self._shown: tuple[Step, ...] = ()
        self._paced = True  # whether the post under way holds the channel's turn

    @property
    def thread(self) -> str | None:
        return self._posts.thread

    async def queued(self, position: int) -> None:
        await self._posts.queued(position)

    async def refuse(self, failed: ChainFailed) -> None:
        await self._posts.refuse(failed)

    async def open(self, started: ChainStarted) -> Posted | None:
        head = await self._posts.open(started)
        thread, ask = self._posts.thread, self._ask
        if thread is None:
            return head
        self._thread_ts = thread.rsplit(":", 1)[1]
        if self._refused.refused(ask.team_id, ask.channel):
            log.debug("slack: streams are refused here for now; chain %s shows as posts", started.chain_id)
            return head
        recipient = None if ask.channel.startswith("D") else (ask.team_id, ask.user)
        try:
            self._ts = await self._poster.start_stream(ask.channel, self._thread_ts, self._plan.start(),
                                                       recipient=recipient)  # fmt: skip
        except SlackApiError as exc:
            code = exc.response.get("error")
            remembered = self._refused.remember(ask.team_id, ask.channel, code)
            log.info("slack: chat.startStream refused (%s%s); chain %s shows as posts", code,
                     ", remembered for this workspace" if remembered else "", started.chain_id)  # fmt: skip
        return head

    async def started(self, started: ChainStarted) -> None:
        await self._posts.started(started)

    async def progress(self, progress: Progress) -> None:
        if self._ts is None:
            await self._posts.progress(progress)
            return
        async with self._lock:
            await self._append(self._plan.thinking(progress.step, progress.text, new=bool(progress.added)))

    def step_parts(self, step: Step) -> list[Part[Message]]:
        if self._ts is None:
            return _widen(self._posts.step_parts(step))
        self._shown += (step,)
        return [Part(message=_Step(step), steps=self._shown)]

    def answer_parts(self, answer: FinalAnswer) -> list[Part[Message]]:
        if self._ts is None:
            return _widen(self._posts.answer_parts(answer))
        if self._plan.answer_fits(answer_markdown(answer, expand=self._expand)):
            return [Part(message=_End(answer), kind="answer", linked=False)]
        log.info("slack: the answer of chain %s does not fit its streamed message: posted below it", answer.chain_id)
        return [Part(message=_End(answer), kind="note", linked=False), *_widen(self._posts.answer_parts(answer))]

    def failure_part(self, failed: ChainFailed, *, kept: int) -> Part[Message]:
        if self._ts is None:
            return cast(Part[Message], self._posts.failure_part(failed, kept=kept))
        return Part(message=_End(failed, kept), kind="note", linked=False)

    def join(self, first: Part[Message], second: Part[Message]) -> Part[Message] | None:
        if isinstance(first.message, render.Rendered) and isinstance(second.message, render.Rendered):
            return cast("Part[Message] | None", self._posts.join(_narrow(first), _narrow(second)))
        return None  # a task is appended on its own, at once

    def overflow(self, parts: Sequence[Part[Message]], *, limit: int) -> list[Part[Message]]:
        posts = [_narrow(p) for p in parts if isinstance(p.message, render.Rendered)]
        appended = [p for p in parts if not isinstance(p.message, render.Rendered)]
        return appended + (_widen(self._posts.overflow(posts, limit=limit)) if posts else [])

    def turn(self) -> contextlib.AbstractAsyncContextManager[None]:
        self._paced = self._ts is None
        return self._posts.turn() if self._paced else contextlib.nullcontext()

    async def post(self, part: Part[Message]) -> Posted | None:
        message = part.message
        if isinstance(message, render.Rendered):
            return await self._post(_narrow(part))
        async with self._lock:
            if self._ts is not None:
                try:
                    return await self._stream(message)
                except SlackApiError as exc:
                    await self._broken(exc)
        return await self._instead(message)

    async def answered(self, answer: FinalAnswer) -> None:
        await self._stop()
        await self._posts.answered(answer)

    async def failed(self, failed: ChainFailed) -> None:
        await self._stop()
        await self._posts.failed(failed)

    async def gave_up(self, error: Exception) -> None:
        await self._posts.gave_up(error)

    async def interrupted(self) -> None:
        if self._ts is None:
            await self._posts.interrupted()
            return
        async with self._lock:
            await self._append(self._plan.note(note(f":warning: {escape(wording.RESTARTED)}")))
        await self._stop()

    async def close(self) -> None:
        with contextlib.suppress(SlackApiError):
            await self._stop()
        await self._posts.close()

    async def _stream(self, message: _Step | _End) -> Posted:
        """Append ``message`` (the lock held, the stream open)."""
        assert self._ts is not None
        if isinstance(message, _Step):
            chunks = self._plan.step(message.step)
        elif isinstance(message.event, FinalAnswer):
            text = answer_markdown(message.event, expand=self._expand)
            chunks = self._plan.answer(text) or self._plan.note(note(wording.sentence(_BELOW)), status="complete")
        else:
            chunks = self._plan.note(note(render.failure(message.event, kept=message.kept).text))
        await self._poster.append_stream(self._ask.channel, self._ts, chunks)
        key = message_id(self._ask.channel, self._ts)
        return Posted(key=key, location=stream_location(self._thread_ts), counted=False)

    async def _append(self, chunks: list[Chunk]) -> None:
        if chunks and self._ts is not None:
            await self._poster.append_stream(self._ask.channel, self._ts, chunks)

    async def _broken(self, error: SlackApiError) -> None:
        """Slack stopped taking appends: the rest of the chain goes out as posts."""
        ts, self._ts = self._ts, None
        log.warning("slack: the streamed message %s broke (%s); the rest of the chain shows as posts", ts,
                    error.response.get("error"))  # fmt: skip
        if ts is not None:
            with contextlib.suppress(SlackApiError):
                await self._poster.stop_stream(self._ask.channel, ts, [])

    async def _instead(self, message: _Step | _End) -> Posted | None:
        """``message`` as a post, the stream being gone; not linked to the steps the stream showed."""
        if isinstance(message, _Step):
            parts = self._posts.step_parts(message.step)
        elif isinstance(message.event, FinalAnswer):
            parts = self._posts.answer_parts(message.event)
        else:
            parts = [self._posts.failure_part(message.event, kept=message.kept)]
        for part in parts:
            await self._post(part)
        return None

    async def _post(self, part: Part[render.Rendered]) -> Posted | None:
        if self._paced:
            return await self._posts.post(part)
        async with self._posts.turn():
            return await self._posts.post(part)

    async def _stop(self) -> None:
        async with self._lock:
            ts, self._ts = self._ts, None
            if ts is not None:
                await self._poster.stop_stream(self._ask.channel, ts, [])


_BELOW = "The answer is too long for this message: it follows in the thread below"


def _widen(parts: list[Part[render.Rendered]]) -> list[Part[Message]]:
    return cast(list[Part[Message]], parts)


def _narrow(part: Part[Message]) -> Part[render.Rendered]:
    return cast(Part[render.Rendered], part)
