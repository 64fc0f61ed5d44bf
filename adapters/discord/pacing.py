"""Post to one channel in order, one message at a time, combining what queues up while a post is in flight.

discord.py reads Discord's rate-limit headers and waits before a request that would overrun the channel's
bucket, so a chain that thinks faster than the channel allows (about 5 messages per 5 s) piles steps up here
meanwhile; the next message then carries all of them that fit. Nothing is dropped and nothing is reordered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord

from adapters.discord.split import MESSAGE_LIMIT

__all__ = ["Batcher", "Piece"]

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[discord.Message]]
Posted = Callable[[discord.Message, tuple[int, ...], bool], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Piece:
    """One message's worth of text or less. ``steps``: the step numbers it shows. Only ``mergeable`` pieces
    share a message, and only with their mergeable neighbours. ``linked``: record the message (not for the
    continuation parts of a long step)."""

    text: str
    steps: tuple[int, ...] = ()
    mergeable: bool = False
    linked: bool = True


class Batcher:
    """Sends pieces through ``send`` in order and reports each message to ``posted(message, steps, linked)``."""

    def __init__(self, *, send: Send, posted: Posted, joiner: str = "\n", limit: int = MESSAGE_LIMIT) -> None:
        self._send = send
        self._posted = posted
        self._joiner = joiner
        self._limit = limit
        self._queue: list[Piece] = []
        self._wake = asyncio.Event()
        self._closed = False
        self.messages_sent = 0
        self._task = asyncio.create_task(self._run(), name="discord-batcher")

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
            while self._queue:
                piece = self._take()
                message = await self._send(piece.text)
                self.messages_sent += 1
                await self._posted(message, piece.steps, piece.linked)
            if self._closed:
                return

    def _take(self) -> Piece:
        first = self._queue.pop(0)
        if not first.mergeable:
            return first
        text, steps = first.text, first.steps
        while self._queue and self._queue[0].mergeable:
            following = self._queue[0]
            if len(text) + len(self._joiner) + len(following.text) > self._limit:
                break
            self._queue.pop(0)
            text, steps = text + self._joiner + following.text, steps + following.steps
        if len(steps) > 1:
            log.debug("batched steps %s into one message", steps)
        return Piece(text=text, steps=steps, mergeable=True)
