"""One channel at a time, at the platform's pace: the one per-channel lock and post pace every chat platform uses.

Writes to one channel go one at a time, in the order they asked (``asyncio.Lock`` wakes its waiters first-in,
first-out), through one :class:`~adapters.chat.ordering.KeyedLocks` that keeps no lock for an idle channel. New posts
also keep to the platform's :class:`Pace`: at most ``posts`` in any ``per`` seconds, counted from when each post
ended (Discord: about 5 per 5 s per channel, a thread being a channel; Slack: about 1 per second). Whoever holds a
post's slot may gather everything that queued up meanwhile into that one post: that is how steps that arrive faster
than the pace share a message. Edits, deletions and reactions hold the channel's :meth:`ChannelPacer.gate` instead:
in order with the posts, but not counted against the pace. A 429 that still happens (another process posting) is
left to the platform's SDK, which waits out ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from adapters.chat.ordering import KeyedLocks

__all__ = ["ChannelPacer", "Pace"]

K = TypeVar("K", bound=Hashable)
_PRUNE_AT = 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Pace:
    """At most ``posts`` new messages in any ``per`` seconds in one channel (``per`` 0: no pace, only order)."""

    posts: int
    per: float

    def __post_init__(self) -> None:
        if self.posts < 1 or self.per < 0:
            raise ValueError("a pace needs at least one post in a period of zero seconds or more")


class ChannelPacer(Generic[K]):
    def __init__(self, *, pace: Pace, clock: Callable[[], float] = time.monotonic) -> None:
        self.pace = pace
        self._clock = clock
        self._locks: KeyedLocks[K] = KeyedLocks()
        self._ends: dict[K, deque[float]] = {}

    def gate(self, channel: K) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold ``channel`` for one write that posts nothing new (an edit, a deletion, a reaction)."""
        return self._locks(channel)

    @contextlib.asynccontextmanager
    async def slot(self, channel: K) -> AsyncIterator[None]:
        """Hold ``channel`` for one new post, once earlier holders are done and the pace allows it."""
        async with self._locks(channel):
            ends = self._ends.get(channel)
            if ends is not None and len(ends) == self.pace.posts:
                wait = ends[0] + self.pace.per - self._clock()
                if wait > 0:
                    await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._ends.setdefault(channel, deque(maxlen=self.pace.posts)).append(self._clock())
        self._prune()

    def busy(self, channel: K) -> bool:
        """Whether someone holds or waits for ``channel`` (a write that may be skipped, such as a progress edit,
        gives way)."""
        return channel in self._locks

    @property
    def held(self) -> int:
        """How many channels someone holds or waits for right now."""
        return len(self._locks)

    def __len__(self) -> int:
        """How many channels the pacer remembers (locks held or waited for, or posts still within the pace)."""
        return len(self._ends.keys() | self._locks.keys())

    def _prune(self) -> None:
        if len(self._ends) < _PRUNE_AT:
            return
        now = self._clock()
        for channel in [c for c, ends in self._ends.items() if ends[-1] + self.pace.per <= now]:
            if channel not in self._locks:
                del self._ends[channel]
