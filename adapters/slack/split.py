"""Cut mrkdwn into pieces that fit Slack's limits without breaking an entity, a line if avoidable, or a code block."""

from __future__ import annotations

import re
from typing import TypeVar

__all__ = ["chunk", "split_text"]

T = TypeVar("T")

_FENCE = "```"
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at paragraph, line or word ends where possible.

    A cut inside a fenced code block closes the fence and reopens it in the next piece, so every piece renders
    on its own. An escaped entity such as ``&amp;`` is never cut in two.
    """
    if limit < 16:
        raise ValueError("limit must leave room for code fences")
    pieces: list[str] = []
    rest = text.strip("\n")
    reopen = False
    while rest:
        prefix = _FENCE if reopen else ""
        room = limit - len(prefix) - len(_FENCE)
        if len(prefix) + len(rest) <= limit:
            pieces.append(prefix + rest)
            break
        cut = _cut_at(rest, room)
        piece = prefix + rest[:cut].rstrip()
        reopen = piece.count(_FENCE) % 2 == 1
        pieces.append(piece + _FENCE if reopen else piece)
        rest = rest[cut:].lstrip("\n" if reopen else " \n")
    return [p for p in pieces if p.strip() and p.strip() != _FENCE * 2]


def _cut_at(text: str, room: int) -> int:
    window = text[:room]
    for mark in ("\n\n", "\n", " "):
        at = window.rfind(mark)
        if at > room // 2:
            return at + len(mark)
    tail = _ENTITY_TAIL.search(window)
    cut = tail.start() if tail and tail.start() > 0 else room
    while cut > 1 and text[cut - 1 : cut + 1] == "``":  # never inside a run of backticks
        cut -= 1
    return cut


def chunk(items: list[T], size: int) -> list[list[T]]:
    """``items`` in runs of at most ``size``, in order."""
    return [items[i : i + size] for i in range(0, len(items), size)]
