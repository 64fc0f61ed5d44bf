"""Snowflake ids shaped like Discord's: milliseconds since the Discord epoch, shifted left 22 bits."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

__all__ = ["DISCORD_EPOCH_MS", "Snowflakes", "iso_now", "snowflake_time"]

DISCORD_EPOCH_MS = 1_420_070_400_000


class Snowflakes:
    """Hands out unique, increasing snowflakes (ids sort by creation, as discord.py expects)."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> int:
        stamp = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        value = max(stamp | (next(self._counter) & 0xFFF), self._last + 1)
        self._last = value
        return value

    def next_on_shard(self, shard_id: int, num_shards: int) -> int:
        """The next snowflake whose guild would be on ``shard_id`` of ``num_shards`` (``(id >> 22) % num_shards``):
        its millisecond part moved up to the next that fits."""
        if not 0 <= shard_id < num_shards:
            raise ValueError(f"shard {shard_id} is not one of {num_shards}")
        value = self.next()
        ahead = (shard_id - (value >> 22)) % num_shards
        value = ((value >> 22) + ahead) << 22 | (value & 0x3FFFFF)
        self._last = value
        return value


def snowflake_time(snowflake: int) -> datetime:
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def iso_now() -> str:
    return datetime.now(tz=UTC).isoformat()
