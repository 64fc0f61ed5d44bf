"""Run a FakeDiscord on its own event loop in a background thread (for bots run by another loop or process)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from .server import FakeDiscord

__all__ = ["ThreadedFakeDiscord"]


class ThreadedFakeDiscord:
    """``with ThreadedFakeDiscord(fake=FakeDiscord(...)) as running:`` serves ``running.fake`` from a thread.

    Everything that touches the fake goes through :meth:`call` (from async code on another loop) or
    :meth:`run` (blocking), which execute a function or coroutine function on the fake's loop.
    """

    def __init__(self, *, fake: FakeDiscord) -> None:
        self.fake = fake
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-discord", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self.run(self.fake.start)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self.run(self.fake.stop)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        async def invoke() -> Any:
            result = fn(*args, **kwargs)
            return await result if asyncio.iscoroutine(result) else result

        return asyncio.run_coroutine_threadsafe(invoke(), self._loop)

    def run(self, fn: Callable[..., Any], *args: Any, timeout: float = 30.0, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` on the fake's loop and block until it returns."""
        return self._submit(fn, *args, **kwargs).result(timeout)

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Like :meth:`run`, awaited from another event loop without blocking it."""
        return await asyncio.wrap_future(self._submit(fn, *args, **kwargs))

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
