"""Run a :class:`FakeSlack` on its own event loop in a background thread, for code under test that owns its loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, Self, TypeVar

from tests.fakes.slack.server import FakeSlack

__all__ = ["FakeSlackThread"]

T = TypeVar("T")


class FakeSlackThread:
    """``with FakeSlackThread(post_interval=0.05) as bg: bg.fake.api_url; bg.run(bg.fake.socket.deliver_event(p))``.

    Records are safe to read from any thread; anything that is a coroutine goes through :meth:`run`.
    """

    def __init__(self, **fake_options: Any) -> None:
        self._options = fake_options
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-slack", daemon=True)
        self._fake: FakeSlack | None = None

    @property
    def fake(self) -> FakeSlack:
        if self._fake is None:
            raise RuntimeError("FakeSlackThread is not started")
        return self._fake

    def start(self) -> FakeSlack:
        self._thread.start()
        self._fake = self.run(self._make())
        return self._fake

    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float = 30.0) -> T:
        """Run ``coro`` on the fake's loop and return its result (blocking this thread)."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        if self._fake is not None:
            self.run(self._fake.stop())
            self._fake = None
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _make(self) -> FakeSlack:
        fake = FakeSlack(**self._options)
        await fake.start()
        return fake
