"""Reading Markdown link syntax in linear time: which brackets are live, what target follows ``](``, and edits.

Used by :func:`adapters.chat.links.safe_markdown`. A bracket inside a fenced code block or a code span is code,
except that a ``]`` there may still end a label opened before the code (a link is matched on raw text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapters.chat.fences import find_blocks

__all__ = ["Code", "Edit", "apply_edits", "live_brackets", "read_code", "target_after"]

_BRACKET = re.compile(r"[\[\]]")
_TICKS = re.compile(r"`+")
_ANGLE_RUN = re.compile(r"[^<>\n]*+")
_URL_RUN = re.compile(r"[^\s<>\[\]\"'`()]*+")
_TITLE_REACH = 1000


Edit = tuple[int, int, str]  # replace ``drop`` characters at ``at`` with ``insert``: (at, drop, insert)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` (which do not overlap) applied."""
    if not edits:
        return text
    edits.sort()
    parts: list[str] = []
    done = 0
    for at, drop, insert in edits:
        parts += [text[done:at], insert]
        done = at + drop
    parts.append(text[done:])
    return "".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    """Where the code is: ``ranges`` holds fenced blocks and complete code spans, ``loose`` the backtick runs
    that open nothing, ``open_fence`` the fence that would close a block still open at the end."""

    ranges: list[tuple[int, int]]
    loose: list[tuple[int, int]]
    open_fence: str | None


def read_code(text: str) -> Code:
    blocks = find_blocks(text, "line")
    fenced = [(b.start, b.stop) for b in blocks]
    runs: list[tuple[int, int]] = []
    index = 0
    for run in _TICKS.finditer(text):
        start, stop = run.span()
        while index < len(fenced) and fenced[index][1] <= start:
            index += 1
        if index < len(fenced) and start >= fenced[index][0]:
            continue
        start += _escaped(text, start)
        if start < stop:
            runs.append((start, stop))
    spans, loose = _spans(runs)
    last = blocks[-1] if blocks else None
    open_fence = last.closer if last is not None and last.end == last.stop == len(text) else None
    return Code(ranges=sorted(fenced + spans), loose=loose, open_fence=open_fence)


def live_brackets(text: str, code: Code) -> list[tuple[str, int]]:
    """Every bracket, in order: ``("[", at)`` for one that can open a link label, ``("[?", at)`` for one that
    cannot (in code, or escaped) but still counts inside a label opened before it, ``("]", at)`` for one that
    can close a label, ``("]?", at)`` for one in code, which closes a label only if one is open."""
    ranges = code.ranges
    found: list[tuple[str, int]] = []
    index, start, stop = 0, *(ranges[0] if ranges else (len(text), len(text)))
    for match in _BRACKET.finditer(text):
        at = match.start()
        while at >= stop:
            index += 1
            start, stop = ranges[index] if index < len(ranges) else (len(text), len(text))
        if text[at] == "]":
            found.append(("]?" if start <= at else "]", at))
        elif at < start and (text[at - 1] != "\\" or not _escaped(text, at)):
            found.append(("[", at))
        else:
            found.append(("[?", at))
    return found


def target_after(text: str, at: int) -> str | None:
    """The URL of ``(url)``, ``(<url>)`` or ``(url "title")`` starting at ``at`` (just after the ``(``), or
    ``None`` when what follows is not a link target."""
    at = _blank(text, at)
    if text.startswith("<", at):
        end = _ANGLE_RUN.match(text, at + 1).end()  # type: ignore[union-attr]  # a possessive star always matches
        if not text.startswith(">", end):
            return None
        url, at = text[at + 1 : end], end + 1
    else:
        start, depth = at, 0
        while True:
            at = _URL_RUN.match(text, at).end()  # type: ignore[union-attr]  # a possessive star always matches
            if text.startswith("(", at):
                depth += 1
            elif text.startswith(")", at) and depth:
                depth -= 1
            else:
                break
            at += 1
        url = text[start:at]
    at = _blank(text, at)
    if at < len(text) and text[at] in "\"'" and at > 0 and text[at - 1].isspace():
        end = text.find(text[at], at + 1, at + _TITLE_REACH)
        if end < 0:
            return None
        at = _blank(text, end + 1)
    return url if text.startswith(")", at) else None


def _blank(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t":
        at += 1
    if text.startswith("\n", at):
        at += 1
        while at < len(text) and text[at] in " \t":
            at += 1
    return at


def _escaped(text: str, at: int) -> bool:
    before = at
    while before > 0 and text[before - 1] == "\\":
        before -= 1
    return (at - before) % 2 == 1


def _spans(runs: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Code spans (a run of backticks closed by the next run of the same length, as CommonMark reads them) and
    the runs outside them that open nothing."""
    following: dict[int, int] = {}
    after: list[int] = [-1] * len(runs)
    for index in range(len(runs) - 1, -1, -1):
        size = runs[index][1] - runs[index][0]
        after[index] = following.get(size, -1)
        following[size] = index
    spans: list[tuple[int, int]] = []
    loose: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        close = after[index]
        if close < 0:
            loose.append(runs[index])
            index += 1
            continue
        spans.append((runs[index][0], runs[close][1]))
        index = close + 1
    return spans, loose
