"""An in-process broadcast buffer: one producer pushes, any number of readers each see every item from the start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Generic, TypeVar

__all__ = ["Fanout"]

T = TypeVar("T")


class Fanout(Generic[T]):
    """Readers that join late replay what was pushed before, then follow live until :meth:`close`."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._closed = False
        self._changed = asyncio.Event()

    @property
    def items(self) -> tuple[T, ...]:
        return tuple(self._items)

    @property
    def closed(self) -> bool:
        return self._closed

    def push(self, item: T) -> None:
        if self._closed:
            raise RuntimeError("push after close")
        self._items.append(item)
        self._wake()

    def close(self) -> None:
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def follow(self) -> AsyncIterator[T]:
        index = 0
        while True:
            while index < len(self._items):
                yield self._items[index]
                index += 1
            if self._closed:
                return
            await self._changed.wait()
