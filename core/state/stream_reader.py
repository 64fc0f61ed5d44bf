"""One reader for every flight stream a process follows: a single XREAD BLOCK over all of them at once.

A gateway follows every chain it handed to the workers, and each follower blocked on its own XREAD held one pooled
connection: a few dozen chains at once filled the pool, and the follows themselves were refused as busy. Here the
process's followers register what they wait for, and one task reads them all in one round trip a cycle (with the
watch marks that keep their leaders publishing), so following costs one connection however many chains there are.
A follower that registers while a read is under way joins the next one, at most ``block`` seconds later.

A full pool only delays the next read (a cycle waits and tries again); an outage is given to every waiting
follower as :class:`~core.state.guard.StoreUnavailableError`, as their own reads would have raised it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from redis.asyncio import Redis

from core.state.guard import RedisGuard, StoreBusyError, StoreUnavailableError

__all__ = ["StreamReader"]

log = logging.getLogger(__name__)

Entries = list[tuple[Any, dict[bytes, bytes]]]


@dataclass(eq=False)
class _Wait:
    stream: str
    after: str
    watch: str | None
    done: asyncio.Future[Entries] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class StreamReader:
    """``await reader.read(stream, after, watch=key, wait_for=s)``: the entries after ``after`` (``[]`` when none
    came within ``wait_for`` seconds); ``watch``: a key to mark (for ``watch_ms``) on every read, so the leader
    publishes. Call :meth:`aclose` on shutdown."""

    def __init__(self, *, redis: Redis, guard: RedisGuard, block: float, watch_ms: int, retry: float = 0.05) -> None:
        self._redis = redis
        self._guard = guard
        self._block_ms = max(1, round(block * 1000))
        self._watch_ms = watch_ms
        self._retry = retry
        self._waits: set[_Wait] = set()
        self._task: asyncio.Task[None] | None = None

    async def read(self, stream: str, after: str, *, watch: str | None, wait_for: float) -> Entries:
        wait = _Wait(stream=stream, after=after, watch=watch)
        self._waits.add(wait)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="stream-reader")
        try:
            async with asyncio.timeout(wait_for):
                return await asyncio.shield(wait.done)
        except TimeoutError:
            return []
        finally:
            self._waits.discard(wait)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while self._waits:
            waits = [w for w in self._waits if not w.done.done()]
            if not waits:
                await asyncio.sleep(0)
                continue
            try:
                replies = await self._guard.call(partial(self._read, waits))
            except StoreBusyError:
                await asyncio.sleep(self._retry)  # back-pressure: the followers wait a little longer
                continue
            except StoreUnavailableError:
                for wait in waits:
                    if not wait.done.done():
                        wait.done.set_exception(StoreUnavailableError("Redis is unavailable"))
                        wait.done.exception()  # retrieved here: the follower may have timed out already
                continue
            found = {_text(stream): list(items) for stream, items in replies or ()}
            for wait in waits:
                items = found.get(wait.stream)
                if items and not wait.done.done():
                    wait.done.set_result(items)

    async def _read(self, waits: list[_Wait]) -> Any:
        streams: dict[str, str] = {}
        for wait in waits:
            streams.setdefault(wait.stream, wait.after)
        async with self._redis.pipeline(transaction=False) as pipe:
            for watch in {w.watch for w in waits if w.watch}:
                pipe.set(watch, "1", px=self._watch_ms)
            pipe.xread(streams, count=100, block=self._block_ms)  # type: ignore[arg-type]
            replies = await pipe.execute()
        return replies[-1]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
