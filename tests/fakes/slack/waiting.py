"""Wake waiters in any thread's event loop when the record changes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["ChangeNotifier"]

T = TypeVar("T")


class ChangeNotifier:
    """``await wait_until(check, timeout)`` re-runs ``check`` after every ``notify()`` until it returns truthy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def notify(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop has closed; its waiter is gone with it
                self._drop(loop, event)

    async def wait_until(
        self,
        check: Callable[[], T | None],
        *,
        timeout: float,  # noqa: ASYNC109 - our TimeoutError names what never arrived
        what: Callable[[], str],
    ) -> T:
        """Return ``check()``'s first truthy result; raise ``TimeoutError`` naming ``what()`` after ``timeout`` s."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        with self._lock:
            self._waiters.append((loop, event))
        deadline = time.monotonic() + timeout
        try:
            while True:
                event.clear()
                result = check()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"after {timeout:.1f}s still waiting for {what()}")
                try:
                    await asyncio.wait_for(event.wait(), remaining)
                except TimeoutError:
                    continue
        finally:
            self._drop(loop, event)

    def _drop(self, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
        with self._lock:
            if (loop, event) in self._waiters:
                self._waiters.remove((loop, event))
