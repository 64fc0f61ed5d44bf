"""One question's chain, shown in its Slack thread: progress sign, collapsed steps, the answer or the failure.

The service's events are read by a producer task into a queue, so while a post waits for its channel slot the
steps that arrive meanwhile pile up and go out together in one message (never lost, never reordered).

A :class:`~adapters.chat.caps.ThreadCap` bounds the messages a chain posts in its thread. Steps may use all but
the last two; later steps are folded and go out together when the chain ends. The answer (or the failure note)
then takes the messages left, packed anew when it was rendered in more (:func:`adapters.slack.overflow.fit`),
with a closing note saying how much was cut if it still does not fit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError

from adapters.chat.caps import ThreadCap
from adapters.slack import render
from adapters.slack.options import SlackOptions
from adapters.slack.overflow import fit
from adapters.slack.poster import Poster
from adapters.slack.tags import tags_of
from adapters.slack.triggers import Ask, message_id
from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step
from core.kinds import FailureKind
from core.port import ThinkPort
from core.request import ThinkRequest

__all__ = ["ChainRun", "Respond"]

log = logging.getLogger(__name__)

Respond = Callable[[str], Awaitable[object]]
_STOPPING = ":warning: Thinkbot restarted before this chain finished; please ask again."
_SHUTDOWN_GRACE = 3.0
_OUR_FAULT = "Something went wrong on our side while thinking. Please try again."
_CANT_POST = "I can't post in this channel. Invite me with `/invite @thinkbot`, or send me a direct message."


class ChainRun:
    """Renders the events of one request into the thread of ``ask``; ``respond`` answers a slash command privately."""

    def __init__(
        self, *, service: ThinkPort, poster: Poster, options: SlackOptions, ask: Ask, respond: Respond | None = None
    ) -> None:
        self._service = service
        self._poster = poster
        self._options = options
        self._ask = ask
        self._respond = respond
        self._held: list[Event | None] = []
        self._chain_id = ""
        self._thread_ts = ask.thread_ts
        self._progress_ts: str | None = None
        self._posted = 0
        self._queued_noted = False
        self._cap = ThreadCap(limit=options.thread_messages)
        self._folded: list[Step] = []

    async def run(self, request: ThinkRequest) -> None:
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        producer = asyncio.create_task(self._produce(request, queue), name="slack-chain-events")
        try:
            while (event := await self._next(queue)) is not None:
                await self._show(event, queue)
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("slack: giving up on chain %s: %s", self._chain_id or "(not started)", error)
            if error in ("not_in_channel", "channel_not_found", "is_archived"):
                await self._tell(_CANT_POST)
        except asyncio.CancelledError:
            await self._shutdown_note()
            raise
        finally:
            producer.cancel()
            await asyncio.wait([producer])
            await self._end_progress()

    async def _produce(self, request: ThinkRequest, queue: asyncio.Queue[Event | None]) -> None:
        try:
            async with contextlib.aclosing(self._service.think(request)) as events:
                async for event in events:
                    queue.put_nowait(event)
        except Exception:
            log.exception("slack: the service failed on chain %s", self._chain_id or "(not started)")
            queue.put_nowait(ChainFailed(chain_id=self._chain_id, kind=FailureKind.INTERNAL, message=_OUR_FAULT))
        finally:
            queue.put_nowait(None)

    async def _next(self, queue: asyncio.Queue[Event | None]) -> Event | None:
        return self._held.pop(0) if self._held else await queue.get()

    async def _show(self, event: Event, queue: asyncio.Queue[Event | None]) -> None:
        if isinstance(event, ChainQueued):
            if not self._chain_id and not self._queued_noted:
                self._queued_noted = True
                await self._tell(f"Busy right now: your question is number {event.position} in line.")
        elif isinstance(event, ChainStarted):
            await self._started(event)
        elif isinstance(event, Step):
            await self._steps(event, queue)
        elif isinstance(event, FinalAnswer):
            await self._answer(event)
        else:
            await self._failed(event)

    async def _started(self, event: ChainStarted) -> None:
        ask, channel = self._ask, self._ask.channel
        self._chain_id = event.chain_id
        if self._thread_ts is None:
            header = render.question_header(ask.question, ask.user, expand=self._options.expand_reaction)
            self._thread_ts = await self._poster.post(channel, header)
            self._progress_ts = self._thread_ts
        else:
            self._progress_ts = ask.ts
        if self._progress_ts is not None:
            await self._service.link_message(
                message_id(channel, self._progress_ts), chain_id=event.chain_id, location=self._thread_ts or ""
            )
            try:
                await self._poster.react(channel, self._progress_ts, self._options.progress_reaction)
            except SlackApiError as exc:  # only a sign: the chain goes on without it
                log.warning("slack: could not show the progress sign: %s", exc.response.get("error"))
                self._progress_ts = None

    async def _steps(self, first: Step, queue: asyncio.Queue[Event | None]) -> None:
        if not self._cap.steps_open:  # the steps' share is used: fold, to show when the chain ends
            self._folded.append(first)
            return

        def gather() -> list[Step]:
            batch = [first]
            while not self._held and not queue.empty() and len(batch) < render.MAX_BLOCKS:
                item = queue.get_nowait()
                if isinstance(item, Step):
                    batch.append(item)
                else:
                    self._held.append(item)
            return batch

        await self._post_steps(gather)

    async def _post_steps(self, gather: Callable[[], list[Step]]) -> None:
        """Post collapsed steps when the channel's turn comes; ``gather`` picks them at that moment."""
        batch: list[Step] = []

        def build() -> render.Rendered:
            batch.extend(gather())
            return render.collapsed_steps(self._chain_id, batch)

        ts = await self._poster.post(self._ask.channel, build, thread_ts=self._thread_ts)
        self._cap.count()
        await self._service.link_message(
            message_id(self._ask.channel, ts),
            chain_id=self._chain_id,
            steps=[s.index for s in batch],
            location=self._thread_ts or "",
        )
        self._posted = max(self._posted, batch[-1].index)

    async def _answer(self, event: FinalAnswer) -> None:
        await self._post_steps_left(self._folded)
        parts = render.answer(event, expand=self._options.expand_reaction)
        room = max(1, self._cap.remaining)
        for number, part in enumerate(fit(parts, room, subject="The rest of the answer", limit=self._cap.limit)):
            await self._post_linked(part, broadcast=self._options.broadcast_answer and number == 0)
        if self._thread_ts is not None:  # a follow-up in this thread carries this question and answer
            await self._service.link_thread(message_id(self._ask.channel, self._thread_ts), chain_id=self._chain_id)
        await self._end_progress()

    async def _post_steps_left(self, steps: list[Step]) -> None:
        """Steps not shown yet (folded, or never posted before a failure), collapsed, in the messages the cap
        leaves but one (the answer or the failure note takes that one)."""
        size = render.MAX_BLOCKS
        messages = [render.collapsed_steps(self._chain_id, steps[i : i + size]) for i in range(0, len(steps), size)]
        room = max(1, self._cap.remaining - 1)
        for message in fit(messages, room, subject="The remaining steps", limit=self._cap.limit):
            await self._post_linked(message)

    async def _post_linked(self, message: render.Rendered, *, broadcast: bool = False) -> None:
        """Post ``message`` in the thread and link it to the steps it shows (none: the whole chain)."""
        steps = [t.step for t in tags_of(message.blocks) if t.kind == "s" and t.step is not None]
        ts = await self._poster.post(self._ask.channel, message, thread_ts=self._thread_ts, broadcast=broadcast)
        self._cap.count()
        link = message_id(self._ask.channel, ts)
        await self._service.link_message(link, chain_id=self._chain_id, steps=steps, location=self._thread_ts or "")
        self._posted = max([self._posted, *steps])

    async def _failed(self, event: ChainFailed) -> None:
        if not self._chain_id:
            if event.kind != FailureKind.DUPLICATE:
                await self._tell(render.refusal(event))
            return
        await self._post_steps_left([s for s in event.steps if s.index > self._posted])
        await self._post_linked(render.failure(event, posted_steps=self._posted))
        await self._end_progress()

    async def _shutdown_note(self) -> None:
        """The process is stopping mid-chain: say so in the thread, briefly, rather than fall silent."""
        if not self._chain_id or self._thread_ts is None:
            return
        note = render.Rendered(text=_STOPPING, blocks=(render.section(_STOPPING),))
        try:
            async with asyncio.timeout(_SHUTDOWN_GRACE):
                await self._poster.post(self._ask.channel, note, thread_ts=self._thread_ts, paced=False)
        except (SlackApiError, TimeoutError, OSError) as exc:
            log.warning("slack: no shutdown note for chain %s: %s", self._chain_id, type(exc).__name__)

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

    async def _end_progress(self) -> None:
        ts, self._progress_ts = self._progress_ts, None
        if ts is None:
            return
        try:
            await self._poster.react(self._ask.channel, ts, self._options.progress_reaction, add=False)
        except SlackApiError as exc:
            log.warning("slack: could not clear the progress sign: %s", exc.response.get("error"))
