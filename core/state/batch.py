"""Writes of several state primitives sent to Redis in ONE round trip.

A :class:`Batch` is a redis-py pipeline without MULTI: the commands travel in one write and their replies come back
in one read, in order, and each runs on its own (a failed one does not undo the others). Primitives add their part
with ``*_into(batch, ...)`` methods; whoever owns the moment (the end of a chain, a step) sends it::

    batch = Batch(redis)
    cache.put_into(batch, key, events)
    budget.add_into(batch, place, tokens)
    dedupe.done_into(batch, lease)
    await guard.run(batch.send, None)

Scripts go as EVALSHA. On a server that has not seen one yet (a fresh or restarted Redis) its reply is NOSCRIPT:
the batch loads it and runs just those commands again, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from core.state.scripts import Script

__all__ = ["Batch"]

_Arg = str | bytes | int | float


class Batch:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._ops: list[tuple[Script | None, tuple[_Arg, ...]]] = []

    def __len__(self) -> int:
        return len(self._ops)

    def command(self, *args: _Arg) -> None:
        """A plain command, e.g. ``batch.command("SET", key, blob, "PX", ttl_ms)``."""
        self._ops.append((None, args))

    def script(self, script: Script, keys: Sequence[str], args: Sequence[_Arg] = ()) -> None:
        self._ops.append((script, (len(keys), *keys, *args)))

    async def send(self) -> list[Any]:
        """Run every command, in order, in one round trip; their replies. An empty batch sends nothing."""
        if not self._ops:
            return []
        replies = await self._run(self._ops)
        missing = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if missing:
            sources = {script.source for i in missing if (script := self._ops[i][0]) is not None}
            for source in sources:
                await self._redis.script_load(source)
            again = await self._run([self._ops[i] for i in missing])
            for i, reply in zip(missing, again, strict=True):
                replies[i] = reply
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return replies

    async def _run(self, ops: Sequence[tuple[Script | None, tuple[_Arg, ...]]]) -> list[Any]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for script, args in ops:
                if script is None:
                    pipe.execute_command(*args)
                else:
                    pipe.execute_command("EVALSHA", script.sha, *args)
            return list(await pipe.execute(raise_on_error=False))
