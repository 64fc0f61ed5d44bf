"""Slack section texts: mrkdwn cut to a limit counted in UTF-16 code units (an emoji counts twice, the stricter of
the ways Slack might count), ``` re-closed at a cut even mid-line, entities such as ``&amp;`` and our
``<url|label>`` links never cut in two (see :mod:`adapters.chat.split`)."""

from __future__ import annotations

from typing import TypeVar

from adapters.chat import split

__all__ = ["chunk", "measure", "split_text"]

T = TypeVar("T")
MIN_LIMIT = 16
measure = split.utf16_length


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at paragraph, line or word ends where possible."""
    rules = split.Rules(limit=limit, fences="inline", min_limit=MIN_LIMIT, measure=measure, entities=True)
    return split.split_text(text, rules)


def chunk(items: list[T], size: int) -> list[list[T]]:
    """``items`` in runs of at most ``size``, in order."""
    return [items[i : i + size] for i in range(0, len(items), size)]
