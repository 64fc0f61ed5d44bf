"""Slack-style ids: message ``ts`` values that are unique and strictly increasing, event and envelope ids."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable

__all__ = ["IdMaker", "TsClock"]


class TsClock:
    """Hands out ``"1712345678.000123"`` strings: wall-clock seconds and microseconds, never repeating."""

    def __init__(self, *, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            micros = max(int(self._now() * 1_000_000), self._last + 1)
            self._last = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


class IdMaker:
    """Event ids (``Ev…``), trigger ids and envelope ids (UUIDs, like Slack's)."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def event_id(self) -> str:
        return f"Ev{next(self._counter):010d}FAKE"

    def trigger_id(self) -> str:
        return f"{next(self._counter)}.{int(time.time())}.fake"

    @staticmethod
    def envelope_id() -> str:
        return str(uuid.uuid4())
