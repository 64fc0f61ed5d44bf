"""What a terminal shows after some output: enough of a VT100 for rich's live display (text, ``\\r``, ``\\n``, cursor
up and down, erase in line; colours and cursor visibility are ignored), so a test can see the screen a user sees
rather than the escape codes that drew it."""

from __future__ import annotations

import re

__all__ = ["plain", "screen"]

_CSI = re.compile(r"\x1b\[([?0-9;]*)([A-Za-z])")


def screen(output: str) -> list[str]:
    """The lines on screen after ``output`` was written to a terminal, trailing blanks dropped."""
    lines: list[list[str]] = [[]]
    row = col = 0
    at = 0
    while at < len(output):
        control = _CSI.match(output, at)
        if control:
            row, col = _apply(lines, row, col, control.group(1), control.group(2))
            at = control.end()
            continue
        char = output[at]
        at += 1
        if char == "\n":
            row, col = row + 1, 0
        elif char == "\r":
            col = 0
        elif char >= " ":
            line = _line(lines, row)
            line.extend(" " * (col - len(line) + 1))
            line[col] = char
            col += 1
    shown = ["".join(line).rstrip() for line in lines]
    while shown and not shown[-1]:
        shown.pop()
    return shown


def plain(output: str) -> str:
    """``output`` without its escape codes: everything ever written, in order (what a log of the terminal shows)."""
    return _CSI.sub("", output)


def _apply(lines: list[list[str]], row: int, col: int, params: str, command: str) -> tuple[int, int]:
    count = int(params) if params.isdigit() else 1
    if command == "A":
        return max(row - count, 0), col
    if command == "B":
        return row + count, col
    if command == "G":
        return row, count - 1
    if command == "K":
        line = _line(lines, row)
        if params == "2":
            line.clear()
        elif params in ("", "0"):
            del line[col:]
    return row, col


def _line(lines: list[list[str]], row: int) -> list[str]:
    while len(lines) <= row:
        lines.append([])
    return lines[row]
