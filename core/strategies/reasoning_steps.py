"""Turns a reasoning model's reasoning, as it streams, into titled steps.

:class:`StepSplitter` takes the reasoning piece by piece and says, as soon as it knows, which step each piece of
text belongs to (:class:`Written`) and when a step is whole (:class:`Finished`, with its title and content).

Where a step ends:

- at a Markdown heading (``#`` to ``######`` then a space, indented at most 3 spaces), when the step has a line
  that is not a heading (so a heading over a heading stays in one step);
- at a paragraph boundary (a blank line), once the step holds at least ``min_chars`` characters
  (:data:`MIN_STEP_CHARS`, a few sentences: reasoning models write many short paragraphs, and a step of one line
  says little);
- when the step reaches ``max_chars`` (the native strategy gives the character estimate of the step token budget
  the other strategies keep): the text goes on in a new step, cut at that character;
- at the end (:meth:`StepSplitter.close`: the reasoning is over, or the answer began).

The title comes from the step's heading, else a bold lead-in (``**Counting.** The word...``), else its first words;
one line (:func:`core.text.one_line`), cut at a word boundary to at most :data:`TITLE_CHARS` characters. A heading
that gave the title is not repeated in the content. Whitespace at either end of a step is dropped, runs of blank
lines become one. The input is text already made safe (the LLM clients' pieces are).

The result does not depend on how the text was cut into pieces (the tests feed every chunking): a line is held back
only while its start could still be a heading or blank, at most 64 characters. Each character is looked at a
bounded number of times, so the work is linear in the length of the reasoning whatever the model writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import one_line

__all__ = ["MIN_STEP_CHARS", "TITLE_CHARS", "Finished", "Piece", "StepSplitter", "Written"]

MIN_STEP_CHARS = 300
TITLE_CHARS = 60
_TITLE_WORDS = 8
_INDENT_KEPT = 64  # leading whitespace kept of a line (more is dropped: it can only be blank or indented text)
_BOLD_TITLE = 2 * TITLE_CHARS  # how far a bold lead-in may run
_HEADING = re.compile(r" {0,3}#{1,6}[ \t]+(.*)")
_SPACE = " \t"


@dataclass(frozen=True, slots=True)
class Written:
    """More text of step ``index`` (which is not finished yet)."""

    index: int
    text: str


@dataclass(frozen=True, slots=True)
class Finished:
    """Step ``index`` is whole."""

    index: int
    title: str
    content: str


Piece = Written | Finished


class StepSplitter:
    """Feed the reasoning in order with :meth:`feed`, then :meth:`close` once (and nothing after it); steps count
    from 1, and each step's :class:`Written` pieces come before its :class:`Finished`."""

    def __init__(self, *, max_chars: int, min_chars: int = MIN_STEP_CHARS) -> None:
        if max_chars < 1 or min_chars < 0:
            raise ValueError("max_chars must be at least 1 and min_chars at least 0")
        self._max = max_chars
        self._min = min_chars
        self._index = 0  # the open step (0: none yet)
        self._parts: list[str] = []
        self._size = 0
        self._body = False  # the open step has a line that is not a heading
        self._line = ""  # the start of the current line while it is undecided (blank, or maybe a heading)
        self._decided = False  # the current line is placed: its text goes to the open step as it comes
        self._gap = ""  # line breaks since the last text written ("\n" or "\n\n": a paragraph boundary)
        self._out: list[Piece] = []

    def feed(self, text: str) -> list[Piece]:
        position = 0
        while position < len(text):
            newline = text.find("\n", position)
            end = len(text) if newline < 0 else newline
            if end > position:
                self._chars(text[position:end])
            if newline < 0:
                break
            self._newline()
            position = newline + 1
        return self._take()

    def close(self) -> list[Piece]:
        """The reasoning is over: finish the open step."""
        if not self._decided and self._line.strip(_SPACE):  # a last line of "#" alone
            self._place(heading=False)
        self._finish()
        self._line, self._decided, self._gap = "", False, ""
        return self._take()

    def _take(self) -> list[Piece]:
        out, self._out = self._out, []
        return out

    def _chars(self, text: str) -> None:
        """Characters of the current line (no line break among them)."""
        if self._decided:
            self._write(text)
            return
        self._line += text
        rest = self._line.lstrip(_SPACE)
        if not rest:  # blank so far
            self._line = self._line[:_INDENT_KEPT]
            return
        indent = self._line[: len(self._line) - len(rest)]
        if len(indent) > _INDENT_KEPT:
            indent = indent[:_INDENT_KEPT]
            self._line = indent + rest
        if len(indent) <= 3 and indent.strip(" ") == "" and rest.startswith("#"):
            hashes = len(rest) - len(rest.lstrip("#"))
            if hashes == len(rest) and hashes <= 6:  # "##" so far: a heading if a space follows
                return
            self._place(heading=hashes <= 6 and rest[hashes] in _SPACE)
            return
        self._place(heading=False)

    def _newline(self) -> None:
        if not self._decided and self._line.strip(_SPACE):  # a line of "#" alone: text
            self._place(heading=False)
        if self._decided:
            self._gap = "\n"
        elif self._index and self._size:  # a blank line after some text
            self._gap = "\n\n"
        self._line, self._decided = "", False

    def _place(self, *, heading: bool) -> None:
        """The current line is known to be a heading or not: start a step with it, or go on with the open one."""
        line, self._line, self._decided = self._line, "", True
        boundary = (heading and self._body) or (self._gap == "\n\n" and self._size >= self._min)
        if self._index == 0 or (self._size and boundary):
            self._finish()
            self._index += 1
            self._body, self._gap = False, ""
        gap, self._gap = self._gap, ""
        self._body = self._body or not heading
        self._write(gap + line)

    def _write(self, text: str) -> None:
        """Text of the open step, in a new one when it is full. A step starts at its first visible character."""
        while text:
            if not self._size:
                text = text.lstrip()
                if not text:
                    return
            room = self._max - self._size
            part, text = text[:room], text[room:]
            self._parts.append(part)
            self._size += len(part)
            self._out.append(Written(self._index, part))
            if text or self._size >= self._max:
                self._finish()
                self._index += 1
                self._body = True  # the cut line goes on: it is text, not a heading

    def _finish(self) -> None:
        if not self._size:
            return
        title, content = _titled("".join(self._parts).strip(), self._index)
        self._out.append(Finished(self._index, title, content))
        self._parts, self._size = [], 0


def _titled(text: str, index: int) -> tuple[str, str]:
    """(title, content) of a step's text."""
    first, _, rest = text.partition("\n")
    heading = _HEADING.fullmatch(first)
    if heading is not None:
        title = _clip(heading.group(1).strip().rstrip("#").strip(_SPACE + "*_`"))
        if title:
            return title, rest.strip() or title
    if text.startswith("**"):
        end = text.find("**", 2, 2 + _BOLD_TITLE)
        title = _clip(text[2:end].strip().rstrip(".:").strip()) if end > 2 else ""
        if title:
            return title, text
    return _clip(text) or f"Step {index}", text


def _clip(text: str) -> str:
    """The first words of ``text`` as one line of at most :data:`TITLE_CHARS` characters, cut at a word boundary."""
    window = text[: TITLE_CHARS * 4]
    words = one_line(window.replace("**", "").replace("`", "")).split(" ")
    title = ""
    for word in words[:_TITLE_WORDS]:
        longer = f"{title} {word}" if title else word
        if len(longer) >= TITLE_CHARS:
            break
        title = longer
    if not title:  # one very long first word
        title = words[0][: TITLE_CHARS - 1]
    cut = len(title) < len(" ".join(words)) or len(window) < len(text)
    return title + "…" if cut and title else title
