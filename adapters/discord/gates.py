"""One request at a time per channel, so discord.py's rate-limit bookkeeping stays exact under concurrency.

discord.py learns a bucket's limit from the headers of each response. Requests sent to one channel at the same
time by different chains (threads started from headers, reactions, replies) race that bookkeeping: several go
out against a bucket that has room for one, and Discord answers 429. A channel allows about 5 writes per 5 s,
while one request takes a fraction of a second, so waiting for the previous one costs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

__all__ = ["ChannelGates"]


class ChannelGates:
    """``async with gates(channel_id):`` around each write to that channel. Idle channels hold no lock."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def __call__(self, channel_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(channel_id, (asyncio.Lock(), 0))
        self._locks[channel_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[channel_id]
            if users == 1:
                del self._locks[channel_id]
            else:
                self._locks[channel_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
