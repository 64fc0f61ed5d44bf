"""A reaction can arrive before the bot has saved which chain its message shows (the platform tells everyone
about a new message before the bot has read the reply to its own post). Such a reaction is held and the
lookup retried briefly, instead of being dropped for good."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["LINK_WAIT", "until_linked"]

T = TypeVar("T")

LINK_WAIT = 2.0
"""Seconds a reaction on one of the bot's own messages waits for the message's link, by default."""
_FIRST_PAUSE = 0.1


async def until_linked(lookup: Callable[[], Awaitable[T | None]], *, within: float = LINK_WAIT) -> T | None:
    """``lookup()`` until it finds something, pausing 0.1, 0.2, 0.4 s… between tries, for at most ``within``
    seconds (one try when ``within`` is 0); ``None`` if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    pause = _FIRST_PAUSE
    while True:
        found = await lookup()
        left = deadline - loop.time()
        if found is not None or left <= 0:
            return found
        await asyncio.sleep(min(pause, left))
        pause *= 2
