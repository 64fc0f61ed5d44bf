"""One request at a time per channel, so discord.py's rate-limit bookkeeping stays exact under concurrency.

discord.py learns a bucket's limit from the headers of each response. Requests sent to one channel at the same
time by different chains (threads started from headers, reactions, replies) race that bookkeeping: several go
out against a bucket that has room for one, and Discord answers 429. A channel allows about 5 writes per 5 s,
while one request takes a fraction of a second, so waiting for the previous one costs nothing.
"""

from __future__ import annotations

from adapters.chat.ordering import KeyedLocks

__all__ = ["ChannelGates"]


class ChannelGates(KeyedLocks[int]):
    """``async with gates(channel_id):`` around each write to that channel. Idle channels hold no lock."""
