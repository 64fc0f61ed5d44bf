"""Steps into thread messages by their content alone, never by timing, so the same chain always looks the same.

A group takes steps in order while it holds fewer than ``Layout.group_steps`` of them, the platform can join the
next one in (its message limit) and the joined text stays within ``Layout.group_chars``; a full group closes at
once, one that cannot take the next step closes when that step comes, and the last closes when the chain ends. A
step that takes several messages (a long step shown in full) closes the open group and goes out alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from adapters.chat.layout import Layout
from adapters.chat.surface import Part

__all__ = ["Grouper", "Join", "group"]

M = TypeVar("M")
Join = Callable[[Part[M], Part[M]], "Part[M] | None"]


class Grouper(Generic[M]):
    """Feed each step's parts with :meth:`add` and take the messages it closes; :meth:`flush` at the end."""

    def __init__(self, *, layout: Layout, join: Join[M]) -> None:
        self._steps = layout.group_steps
        self._chars = layout.group_chars
        self._join = join
        self._open: Part[M] | None = None
        self._count = 0

    def add(self, parts: list[Part[M]]) -> list[Part[M]]:
        """One step's parts; returns the messages they close, in order."""
        if len(parts) != 1 or not parts[0].joinable:
            return self.flush() + parts
        part = parts[0]
        closed: list[Part[M]] = []
        if self._open is not None:
            joined = self._join(self._open, part)
            if joined is not None and joined.chars <= self._chars:
                self._open, self._count = joined, self._count + 1
                return self._close_if_full()
            closed = self.flush()
        self._open, self._count = part, 1
        return closed + self._close_if_full()

    def flush(self) -> list[Part[M]]:
        """The open group, if any, closed."""
        done, self._open, self._count = self._open, None, 0
        return [] if done is None else [done]

    def _close_if_full(self) -> list[Part[M]]:
        return self.flush() if self._count >= self._steps else []


def group(steps: Iterable[list[Part[M]]], *, layout: Layout, join: Join[M]) -> list[Part[M]]:
    """Every step's parts, grouped as a running chain groups them."""
    grouper = Grouper(layout=layout, join=join)
    messages: list[Part[M]] = []
    for parts in steps:
        messages += grouper.add(parts)
    return messages + grouper.flush()
