"""Runs an async generator in a task of its own and hands its items to whoever iterates the relay."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Generic, TypeVar

__all__ = ["Relay"]

T = TypeVar("T")
_DONE = object()


class Relay(Generic[T]):
    """``source`` is driven by ``task``, not by the consumer.

    So the source's awaits, timeouts and cancellation belong to that task: a deadline inside the source measures
    the source, however slowly the consumer takes items, and cancelling ``task`` stops the source without touching
    the consumer. Leaving :meth:`items` (normally, by ``aclose`` or by cancellation) cancels the task if it still
    runs and waits for it, so no task is left behind.
    """

    def __init__(self, source: AsyncGenerator[T, None], *, name: str) -> None:
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self.task = asyncio.create_task(self._pump(source), name=name)

    async def _pump(self, source: AsyncGenerator[T, None]) -> None:
        try:
            async with contextlib.aclosing(source):
                async for item in source:
                    self._queue.put_nowait(item)
        finally:
            self._queue.put_nowait(_DONE)

    async def items(self) -> AsyncGenerator[T, None]:
        try:
            while (item := await self._queue.get()) is not _DONE:
                yield item  # type: ignore[misc]
        finally:
            if not self.task.done():
                self.task.cancel()
                await asyncio.wait([self.task])
