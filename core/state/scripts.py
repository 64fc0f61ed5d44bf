"""Lua scripts run with EVALSHA, loaded on the first NOSCRIPT reply (after a server restart too).

Leaner per call than redis-py's ``register_script`` wrapper, which matters on the limiter's hot path. A script's
``source`` may be built from shared fragments (e.g. the limiter's GCRA function), so the same rule is written once
and used both alone and inside a larger script.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

__all__ = ["Script"]


class Script:
    def __init__(self, *, redis: Redis, source: str) -> None:
        self._redis = redis
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    async def __call__(self, keys: Sequence[str], args: Sequence[str | bytes | int] = ()) -> Any:
        try:
            return await self._redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            await self._redis.script_load(self.source)
            return await self._redis.evalsha(self.sha, len(keys), *keys, *args)
