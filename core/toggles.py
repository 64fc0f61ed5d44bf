"""Expand/collapse toggles, rate-limited per message and per user, shared by every replica through Redis.

Each toggle of a reaction makes the bot edit, post or delete messages, so a crowd (or one person with a quick
finger) could make it spend its platform rate limits on one thread. ``await toggles.allow(user=..., message=...)``
counts one toggle against both limits; ``False`` means the adapter does nothing. Both use the core's GCRA
:class:`~core.state.limiter.RateLimiter`, so every process serving the same Redis sees the same counts; while
Redis is down they follow the store's fail-open setting.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis

from core.state.guard import RedisGuard
from core.state.keys import Keys
from core.state.limiter import RateLimiter
from core.state.rates import Rate

__all__ = ["Toggles"]

log = logging.getLogger(__name__)


class Toggles:
    """``per_message``: toggles one message may take (whoever makes them); ``per_user``: toggles one user may make
    (on any message). Subjects are the adapters' ids, e.g. ``discord:<message id>`` and ``discord:<user id>``."""

    def __init__(self, *, redis: Redis, keys: Keys, guard: RedisGuard, per_message: Rate, per_user: Rate) -> None:
        self._per_user = RateLimiter(redis=redis, keys=keys, guard=guard, scope="toggle-user", rate=per_user)
        self._per_message = RateLimiter(redis=redis, keys=keys, guard=guard, scope="toggle-message", rate=per_message)

    async def allow(self, *, user: str, message: str) -> bool:
        """Count one toggle by ``user`` on ``message``; ``True`` when both limits let it through.

        The user's limit is checked first, so a refused user does not use up the message's share.
        """
        by_user = await self._per_user.hit(user)
        if not by_user.allowed:
            log.info("toggle refused: the user toggled too often (retry in %.0f s)", by_user.retry_after)
            return False
        on_message = await self._per_message.hit(message)
        if not on_message.allowed:
            log.info("toggle refused: the message was toggled too often (retry in %.0f s)", on_message.retry_after)
            return False
        return True
