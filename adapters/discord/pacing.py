"""Post to one channel in order, one message at a time, combining what queues up while a post is in flight.

discord.py reads Discord's rate-limit headers and waits before a request that would overrun the channel's
bucket, so a chain that thinks faster than the channel allows (about 5 messages per 5 s) piles steps up here
meanwhile; the next message then carries all of them that fit. Nothing is reordered.

A :class:`~adapters.chat.caps.ThreadCap` bounds how many messages the chain posts. Steps may use all but the
reserved last messages; later steps are held and go out, merged, after the chain ends. Whatever still does not
fit goes, with a note, as a Markdown file on the last message the cap allows: nothing is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import discord

from adapters.chat.caps import ThreadCap
from adapters.discord.overflow import Spill, SpillKind, overflow_file, overflow_note, unattached_note
from adapters.discord.split import MESSAGE_LIMIT

__all__ = ["Batcher", "Piece", "Send"]

log = logging.getLogger(__name__)

Posted = Callable[[discord.Message, tuple[int, ...], bool], Awaitable[None]]
_UNCAPPED = 1 << 30


class Send(Protocol):
    def __call__(self, text: str, file: discord.File | None = None) -> Awaitable[discord.Message]: ...


@dataclass(frozen=True, slots=True)
class Piece:
    """One message's worth of text or less. ``steps``: the step numbers it shows. Only ``mergeable`` pieces
    share a message, and only with their mergeable neighbours. ``linked``: record the message (not for the
    continuation parts of a long step). ``kind``: steps are subject to the steps' share of the cap. ``spill``:
    what an overflow file shows for it (a collapsed step's full text), when not ``text`` itself."""

    text: str
    steps: tuple[int, ...] = ()
    mergeable: bool = False
    linked: bool = True
    kind: SpillKind = "step"
    spill: str | None = None

    def spilled(self) -> Spill:
        return Spill(kind=self.kind, text=self.text if self.spill is None else self.spill)


class Batcher:
    """Sends pieces through ``send`` in order and reports each message to ``posted(message, steps, linked)``."""

    def __init__(
        self,
        *,
        send: Send,
        posted: Posted,
        joiner: str = "\n",
        limit: int = MESSAGE_LIMIT,
        cap: ThreadCap | None = None,
    ) -> None:
        self._send = send
        self._posted = posted
        self._joiner = joiner
        self._limit = limit
        self._cap = cap or ThreadCap(limit=_UNCAPPED)
        self._queue: list[Piece] = []
        self._held: list[Piece] = []
        self._wake = asyncio.Event()
        self._closed = False
        self._task = asyncio.create_task(self._run(), name="discord-batcher")

    @property
    def messages_sent(self) -> int:
        return self._cap.sent

    def put(self, *pieces: Piece) -> None:
        if self._closed:
            raise RuntimeError("the batcher is closed")
        self._queue.extend(pieces)
        self._wake.set()

    async def close(self) -> None:
        """Wait until everything put so far is posted; raises what a failed post raised."""
        self._closed = True
        self._wake.set()
        await self._task

    async def abort(self) -> None:
        self._closed = True
        self._queue.clear()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue and not self._closed:
                if not self._cap.steps_open:  # fold: held until the chain ends
                    self._held.extend(self._queue)
                    self._queue.clear()
                    break
                await self._post(self._take())
            if self._closed:
                await self._post_rest()
                return

    async def _post_rest(self) -> None:
        """The chain is over: held steps first, then the rest; the last allowed message takes any overflow."""
        if self._held:
            log.info("%d step piece(s) held back by the thread cap go out now", len(self._held))
        self._queue[:0] = self._held
        self._held.clear()
        while self._queue:
            if self._cap.remaining <= 1 and self._merged(self._queue)[1] < len(self._queue):
                await self._post_overflow()
                return
            await self._post(self._take())

    async def _post(self, piece: Piece, file: discord.File | None = None) -> None:
        message = await (self._send(piece.text) if file is None else self._send(piece.text, file))
        self._cap.count()
        await self._posted(message, piece.steps, piece.linked)

    async def _post_overflow(self) -> None:
        spills = [piece.spilled() for piece in self._queue]
        self._queue.clear()
        file, cut = overflow_file(spills)
        note = overflow_note(spills, limit=self._cap.limit, cut=cut)
        log.info("the thread cap moved %d piece(s) into %s", len(spills), file.filename)
        try:
            await self._post(Piece(text=note), file)
        except discord.Forbidden:  # no Attach Files here: say what is missing and why
            log.warning("no Attach Files permission: %d piece(s) of a chain are not shown", len(spills))
            await self._post(Piece(text=unattached_note(spills, limit=self._cap.limit)))

    def _take(self) -> Piece:
        piece, count = self._merged(self._queue)
        del self._queue[:count]
        if len(piece.steps) > 1:
            log.debug("batched steps %s into one message", piece.steps)
        return piece

    def _merged(self, queue: list[Piece]) -> tuple[Piece, int]:
        """The next message from the head of ``queue`` and how many pieces it takes."""
        first = queue[0]
        if not first.mergeable:
            return first, 1
        text, steps, spill, count = first.text, first.steps, first.spilled().text, 1
        for following in queue[1:]:
            if not following.mergeable or len(text) + len(self._joiner) + len(following.text) > self._limit:
                break
            text, steps, count = text + self._joiner + following.text, steps + following.steps, count + 1
            spill += "\n\n" + following.spilled().text
        return Piece(text=text, steps=steps, mergeable=True, kind=first.kind, spill=spill), count
