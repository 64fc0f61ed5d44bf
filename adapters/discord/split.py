"""Split long text into Discord-sized messages on paragraph or code-block boundaries, keeping fences balanced."""

from __future__ import annotations

import re

__all__ = ["MESSAGE_LIMIT", "split_text"]

MESSAGE_LIMIT = 2000
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_OPENER_MAX = 24  # a reopened fence keeps at most this much of its opener line (``` plus a language)
_RESERVE = _OPENER_MAX + 8  # room for a reopened opener and a closing fence around a piece of a code block


def split_text(text: str, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` as messages of at most ``limit`` characters, in order, none of them blank.

    Breaks go, by preference, between paragraphs or after a code block, else between lines, else inside an
    over-long line (at a space when there is one). A break inside a code block closes the fence at the end of
    one message and reopens it, with its language, at the start of the next.
    """
    if limit < 4 * _RESERVE:
        raise ValueError(f"limit must be at least {4 * _RESERVE}")
    text = text.strip("\n")
    if len(text) <= limit:
        return [text] if text.strip() else []
    lines = [piece for line in text.split("\n") for piece in _wrap(line, limit - 2 * _RESERVE)]
    fences = _fence_states(lines)
    chunks: list[str] = []
    start = 0
    while start < len(lines):
        end = _break(lines, fences, start, limit)
        opener, closer = fences[start], fences[end] if end < len(lines) else None
        body = ([opener[:_OPENER_MAX]] if opener else []) + lines[start:end] + ([_marker(closer)] if closer else [])
        chunk = "\n".join(body).strip("\n").rstrip()
        if chunk.strip():
            chunks.append(chunk)
        start = end
    return chunks


def _wrap(line: str, width: int) -> list[str]:
    pieces: list[str] = []
    while len(line) > width:
        cut = line.rfind(" ", width // 2, width)
        cut = width if cut < 0 else cut + 1
        pieces.append(line[:cut])
        line = line[cut:]
    pieces.append(line)
    return pieces


def _fence_states(lines: list[str]) -> list[str | None]:
    """For each line, the opener line of the code block it sits inside (``None`` outside), plus one past the end."""
    states: list[str | None] = []
    opener: str | None = None
    for line in lines:
        states.append(opener)
        match = _FENCE.match(line)
        if match is None:
            continue
        if opener is None:
            opener = line.strip()
        elif _closes(match, opener):
            opener = None
    states.append(opener)
    return states


def _closes(match: re.Match[str], opener: str) -> bool:
    marker = _marker(opener)
    fence = match.group(1)
    return not match.group(2).strip() and fence[0] == marker[0] and len(fence) >= len(marker)


def _marker(opener: str) -> str:
    match = _FENCE.match(opener)
    return match.group(1) if match else "```"


def _break(lines: list[str], fences: list[str | None], start: int, limit: int) -> int:
    """The index of the first line of the next message: the last good break that fits, else the last line that fits."""
    opener = fences[start]
    size = len(opener[:_OPENER_MAX]) + 1 if opener else 0
    best = None
    index = start
    while index < len(lines):
        closing = len(_marker(fences[index + 1] or "")) + 1 if fences[index + 1] else 0
        if index > start and size + len(lines[index]) + closing > limit:
            break
        size += len(lines[index]) + 1
        index += 1
        if index < len(lines) and _good_break(lines, fences, index):
            best = index
    if index >= len(lines):
        return index
    if best is not None and _chars(lines, start, best) * 4 >= limit:
        return best
    return index


def _good_break(lines: list[str], fences: list[str | None], index: int) -> bool:
    """Before ``lines[index]``: outside a code block and after a blank line or a closed code block."""
    if fences[index] is not None:
        return False
    previous = lines[index - 1]
    return not previous.strip() or (fences[index - 1] is not None and _FENCE.match(previous) is not None)


def _chars(lines: list[str], start: int, end: int) -> int:
    return sum(len(line) + 1 for line in lines[start:end])
