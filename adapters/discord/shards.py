"""Shards: which ones this process holds, whether each is connected, and the pace of their IDENTIFYs.

Discord's rules (Gateway docs, "Sharding" and "Session Start Limit Object"): a guild's events go to shard
``(guild_id >> 22) % num_shards`` and events without a guild (DMs) to shard 0; ``GET /gateway/bot`` recommends a
shard count and tells ``max_concurrency``, the IDENTIFYs allowed per 5 seconds, one per rate limit key
``shard_id % max_concurrency``, buckets started in order. discord.py's ``AutoShardedClient`` launches its shards one
after another and, by default, waits 5 s before every IDENTIFY but the first whatever ``max_concurrency`` allows;
:class:`IdentifyPacer` waits only when the shard's bucket identified less than the window ago. The pace is kept
within one process: processes started together with ``THINKBOT_DISCORD_SHARD_IDS`` each identify their first shard
at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable

__all__ = ["IDENTIFY_WINDOW", "IdentifyPacer", "ShardLinks"]

log = logging.getLogger(__name__)

IDENTIFY_WINDOW = 5.0  # seconds in which each rate limit key may IDENTIFY once


class IdentifyPacer:
    """Waits before an IDENTIFY until its bucket's last one is ``interval`` seconds old."""

    def __init__(
        self,
        *,
        interval: float = IDENTIFY_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.max_concurrency = 1
        self._clock = clock
        self._sleep = sleep
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def wait(self, shard_id: int | None) -> None:
        key = (shard_id or 0) % max(1, self.max_concurrency)
        async with self._locks.setdefault(key, asyncio.Lock()):
            last = self._last.get(key)
            if last is not None:
                delay = last + self.interval - self._clock()
                if delay > 0:
                    log.debug("shard %s waits %.1fs to identify (rate limit key %d)", shard_id, delay, key)
                    await self._sleep(delay)
            self._last[key] = self._clock()


class ShardLinks:
    """Which held shards have a live session: READY or RESUMED since their last disconnect."""

    def __init__(self) -> None:
        self._live: set[int] = set()

    def up(self, shard_id: int) -> None:
        self._live.add(shard_id)

    def down(self, shard_id: int) -> None:
        self._live.discard(shard_id)

    def all_up(self, held: Iterable[int]) -> bool:
        wanted = set(held)
        return bool(wanted) and wanted <= self._live
