"""A per-process cap on concurrent chains, with a FIFO queue that reports each waiter's position.

    async with cap.ticket() as ticket:
        async for position in ticket.positions():   # 1 = next in line; nothing when a slot was free
            ...tell the user...
        ...run the chain...

Entering the ``async with`` joins the queue (it never waits); leaving it frees the slot, or the place in the queue,
however it is left: normally, by an exception, or by cancellation, including cancellation at the very moment a slot
was handed over.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from types import TracebackType

__all__ = ["ConcurrencyCap", "Ticket"]


class ConcurrencyCap:
    """At most ``limit`` tickets hold a slot at once; the rest wait in arrival order."""

    def __init__(self, *, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._active = 0
        self._queue: deque[Ticket] = deque()

    @property
    def active(self) -> int:
        return self._active

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def ticket(self) -> Ticket:
        return Ticket(cap=self)

    def _join(self, ticket: Ticket) -> None:
        if self._active < self.limit and not self._queue:
            self._active += 1
            ticket._admit()
        else:
            self._queue.append(ticket)

    def _leave(self, ticket: Ticket) -> None:
        if ticket.admitted:
            self._active -= 1
        else:
            self._queue.remove(ticket)
        while self._queue and self._active < self.limit:
            self._active += 1
            self._queue.popleft()._admit()
        for waiter in self._queue:
            waiter._moved()

    def _position(self, ticket: Ticket) -> int:
        return self._queue.index(ticket) + 1


class Ticket:
    """One caller's place: queued, then holding a slot. Use it as an async context manager."""

    def __init__(self, *, cap: ConcurrencyCap) -> None:
        self._cap = cap
        self._admitted = asyncio.Event()
        self._changed = asyncio.Event()
        self._joined = False

    @property
    def admitted(self) -> bool:
        return self._admitted.is_set()

    async def __aenter__(self) -> Ticket:
        self._cap._join(self)
        self._joined = True
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._joined:
            self._joined = False
            self._cap._leave(self)

    async def positions(self) -> AsyncIterator[int]:
        """Yield the queue position whenever it changes; return once a slot is held."""
        if not self._joined:
            raise RuntimeError("enter the ticket (async with) before waiting on it")
        last = 0
        while True:
            self._changed.clear()
            if self.admitted:
                return
            position = self._cap._position(self)
            if position != last:
                last = position
                yield position
                continue  # the queue may have moved while the caller handled this position
            await self._changed.wait()

    async def wait(self) -> None:
        """Wait for a slot without hearing positions."""
        if not self._joined:
            raise RuntimeError("enter the ticket (async with) before waiting on it")
        await self._admitted.wait()

    def _admit(self) -> None:
        self._admitted.set()
        self._changed.set()

    def _moved(self) -> None:
        self._changed.set()
