"""Where the code blocks are in chat text, read the way each platform reads fences. Linear time, no regex backtracking.

Two styles:
- ``line`` (Discord, CommonMark): a fence is a line of three or more backticks or tildes, with a language after an
  opening one; a block closes at a bare line of the same character at least as long as its opener, else runs to
  the end of the text. ``cap`` ignores fence lines longer than that (a splitter could not re-close them).
- ``inline`` (Slack mrkdwn): every ```` ``` ```` toggles, mid-line included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Block", "Style", "find_blocks"]

Style = Literal["line", "inline"]

_FENCE_LINE = re.compile(r"^[ \t]*+(`{3,}+|~{3,}+)([^\n]*+)", re.MULTILINE)
_LANGUAGE = re.compile(r"[\w+#.-]{1,20}")
_TICKS = "```"


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """One code block: ``start`` at its opening fence, ``body`` just after it, ``end`` at its closing fence (or the
    end of the text when unclosed), ``stop`` just after that fence. ``closer`` closes it in the piece that holds its
    own opener; ``reopen`` and ``reclose`` open and close it again in a later piece."""

    start: int
    body: int
    end: int
    stop: int
    closer: str
    reopen: str
    reclose: str


def find_blocks(text: str, style: Style, *, cap: int | None = None) -> list[Block]:
    """The code blocks of ``text`` in order; they never overlap."""
    return _inline_blocks(text) if style == "inline" else _line_blocks(text, cap)


def _inline_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    at = text.find(_TICKS)
    while at >= 0:
        end = text.find(_TICKS, at + 3)
        stop = len(text) if end < 0 else end + 3
        blocks.append(
            Block(start=at, body=at + 3, end=len(text) if end < 0 else end, stop=stop, closer=_TICKS, reopen=_TICKS,
                  reclose=_TICKS)
        )  # fmt: skip
        at = -1 if end < 0 else text.find(_TICKS, stop)
    return blocks


@dataclass(slots=True)
class _Open:
    start: int
    body: int
    marker: str
    language: str
    inner: int = 0  # the longest bare fence of the same character inside, which must not close a reopened copy


def _line_blocks(text: str, cap: int | None) -> list[Block]:
    blocks: list[Block] = []
    current: _Open | None = None
    for line in _FENCE_LINE.finditer(text):
        if cap is not None and line.end() - line.start() > cap:
            continue
        marker, rest = line.group(1), line.group(2)
        if current is None:
            if not (marker[0] == "`" and "`" in rest):
                current = _Open(line.start(), min(line.end() + 1, len(text)), marker, _language(rest))
        elif marker[0] == current.marker[0] and not rest.strip():
            if len(marker) >= len(current.marker):
                blocks.append(_closed(current, line.start(), line.end()))
                current = None
            else:
                current.inner = max(current.inner, len(marker))
    if current is not None:
        blocks.append(_closed(current, len(text), len(text)))
    return blocks


def _language(info: str) -> str:
    match = _LANGUAGE.match(info.strip())
    return match.group(0) if match else ""


def _closed(block: _Open, end: int, stop: int) -> Block:
    again = block.marker[0] * max(3, block.inner + 1)
    return Block(
        start=block.start,
        body=block.body,
        end=end,
        stop=stop,
        closer=block.marker,
        reopen=again + block.language,
        reclose=again,
    )
