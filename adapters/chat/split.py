"""Split long text into messages a chat platform accepts, keeping code blocks whole in each: one splitter for all.

A platform binds its :class:`Rules` (limit, how it counts characters, how it reads fences, what must not be cut)
and calls :func:`split_text`. Guarantees, for any input: every piece fits the limit as the platform counts it;
no piece is blank; the run takes time linear in the text; and nothing is lost: the bodies of the pieces, in
order, hold every non-whitespace character of the text (only whitespace at a cut may go). A cut inside a code
block closes it at the end of one piece and reopens it (with its language) at the start of the next.

Where to cut, by preference: between paragraphs or after a code block; after a line; at a space in the second half
of the room; else anywhere, but never inside a fence, an entity like ``&amp;`` (when ``entities``) or a Slack
``<link|label>`` (when it is short), nor before a combining mark or after a zero-width joiner.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from adapters.chat.fences import Block, Style, find_blocks

__all__ = ["Piece", "Rules", "split_pieces", "split_text", "utf16_length"]

_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});")
_NON_SPACE = re.compile(r"\S")
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")
_ATTEMPTS = 6


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: an astral character (most emoji) counts twice."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """How one platform takes text. ``measure`` counts a message as the platform does; ``fences`` is the fence
    style (see :mod:`adapters.chat.fences`); ``entities`` keeps HTML entities whole; ``finish`` rewrites each
    piece before it is measured (it may add a few characters, never touches the fences); ``min_limit`` is the
    smallest limit that still leaves room for fences."""

    limit: int
    fences: Style
    min_limit: int
    measure: Callable[[str], int] = len
    entities: bool = False
    finish: Callable[[str], str] | None = None

    @property
    def fence_cap(self) -> int | None:
        """Fence lines longer than this are text: closing one again would take too much of a message."""
        return self.limit // 8 if self.fences == "line" else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Piece:
    """One message: ``opener`` and ``closer`` are the fences the splitter added, ``body`` is the text's own."""

    opener: str
    body: str
    closer: str

    @property
    def text(self) -> str:
        return self.opener + self.body + self.closer


def split_text(text: str, rules: Rules) -> list[str]:
    """``text`` as messages that fit ``rules``, in order, none of them blank."""
    return [piece.text for piece in split_pieces(text, rules)]


def split_pieces(text: str, rules: Rules) -> list[Piece]:
    """Like :func:`split_text`, keeping apart what the splitter added to each piece."""
    if rules.limit < rules.min_limit:
        raise ValueError(f"limit must be at least {rules.min_limit} to leave room for code fences")
    return _Splitter(text, rules).run()


class _Splitter:
    def __init__(self, text: str, rules: Rules) -> None:
        self.text = text
        self.rules = rules
        self.line = rules.fences == "line"
        self.shrink = 1.0  # the room the last piece needed, as a share of the full room
        self.blocks = find_blocks(text, rules.fences, cap=rules.fence_cap)
        self.bodies = [b.body for b in self.blocks]
        self.stops = [b.stop for b in self.blocks]

    def run(self) -> list[Piece]:
        pieces: list[Piece] = []
        pos = self._skip(0)
        while pos < len(self.text):
            piece, pos = self._next(pos)
            if piece.body.strip():
                pieces.append(piece)
            pos = self._skip(pos)
        return pieces

    def inside(self, pos: int) -> Block | None:
        """The block whose body holds ``pos`` (its closing fence excluded), if any."""
        index = bisect.bisect_right(self.bodies, pos) - 1
        if index >= 0 and pos < self.blocks[index].end:
            return self.blocks[index]
        return None

    def _skip(self, pos: int) -> int:
        """Past whitespace at a cut: any outside a code block, only the cut's own newline inside one."""
        if self.inside(pos) is not None:
            return pos
        found = _NON_SPACE.search(self.text, pos)
        return len(self.text) if found is None else found.start()

    def _next(self, pos: int) -> tuple[Piece, int]:
        rules, text = self.rules, self.text
        reopened = self.inside(pos)
        opener = "" if reopened is None else reopened.reopen + ("\n" if self.line else "")
        budget = rules.limit - rules.measure(opener)
        if len(text) - pos <= budget:
            piece = self._piece(opener, pos, len(text), None)
            if rules.measure(piece.text) <= rules.limit:
                return piece, len(text)
        full = budget - (0 if reopened is None else rules.measure(self._closer(reopened, pos)))
        room = max(1, int(full * self.shrink))
        for _ in range(_ATTEMPTS):
            cut = self._cut(pos, self._fit(pos, room))
            piece = self._piece(opener, pos, cut, self.inside(cut))
            size = rules.measure(piece.text)
            if size <= rules.limit:
                # What ``finish`` added here it likely adds to the next piece too: start that one as small.
                self.shrink = min(1.0, room / max(1, full) * (1.25 if room == int(full * self.shrink) else 1))
                return piece, cut
            # Too long (a closer, or what ``finish`` added): shrink the room by as much as the body overflowed.
            fences = rules.measure(piece.opener) + rules.measure(piece.closer)
            room = max(1, min(room - 1, (cut - pos) * (rules.limit - fences) // max(1, size - fences)))
        cut = pos + 1  # a last resort no input should reach: one character
        return self._piece(opener, pos, cut, self.inside(cut)), cut

    def _closer(self, block: Block, pos: int) -> str:
        fence = block.closer if block.start >= pos else block.reclose
        return "\n" + fence if self.line else fence

    def _piece(self, opener: str, pos: int, cut: int, block: Block | None) -> Piece:
        body = self.text[pos:cut]
        if block is None:
            body = body.rstrip()
        elif body.endswith("\n"):
            body = body[:-1]
        closer = "" if block is None else self._closer(block, pos)
        if self.rules.finish is not None:  # it sees the fences, so it can tell code from text
            body = self.rules.finish(opener + body + closer)[len(opener) : -len(closer) or None]
        return Piece(opener=opener, body=body, closer=closer)

    def _fit(self, pos: int, budget: int) -> int:
        """The furthest end such that ``text[pos:end]`` measures at most ``budget`` (at least one character)."""
        end = min(len(self.text), pos + budget)
        measure = self.rules.measure
        size = measure(self.text[pos:end])
        while size > budget and end - pos > 1:
            end = pos + max(1, min(end - pos - 1, (end - pos) * budget // size))
            size = measure(self.text[pos:end])
        return end

    def _cut(self, pos: int, end: int) -> int:
        """Where the piece starting at ``pos`` ends, at most at ``end``."""
        if end >= len(self.text):
            return len(self.text)
        text = self.text
        quarter, half = pos + (end - pos) // 4, pos + (end - pos) // 2
        cut = self._paragraph(quarter, end)
        if cut < 0:
            newline = text.rfind("\n", quarter, end)
            space = -1 if newline >= 0 else text.rfind(" ", half, end)
            newline = newline if newline >= 0 or space >= 0 else text.rfind("\n", pos + 1, end)
            cut = max(newline, space) + 1 if max(newline, space) >= 0 else self._hard(pos, end)
        return self._whole(pos, cut, quarter)

    def _paragraph(self, low: int, end: int) -> int:
        """The last cut in ``(low, end]`` after a blank line or a closed code block, outside code; else -1."""
        text = self.text
        best = -1
        at = text.rfind("\n\n", low, end)
        while at >= 0 and self.inside(at + 2) is not None:
            at = text.rfind("\n\n", low, at)
        if at >= 0:
            best = at + 2
        index = bisect.bisect_right(self.stops, end - 1) - 1
        while index >= 0 and self.stops[index] > low:
            stop = self.stops[index]
            if stop < len(text) and text[stop] == "\n" and self.blocks[index].end < stop:
                best = max(best, stop + 1)
                break
            index -= 1
        return best

    def _hard(self, pos: int, end: int) -> int:
        """A cut inside a word: not between a character and the marks or joiners that belong to it."""
        text, cut = self.text, end
        for _ in range(16):
            if cut - 1 <= pos:
                break
            mark = text[cut]
            if not (unicodedata.combining(mark) or mark in _JOINERS or text[cut - 1] == "\u200d"):
                break
            cut -= 1
        return cut if cut > pos else end

    def _whole(self, pos: int, cut: int, low: int) -> int:
        """Move ``cut`` out of a fence, an entity or a short Slack link, when that leaves enough behind."""
        text = self.text
        for block in self._near(cut):
            if block.start < cut < block.body:
                cut = block.start if block.start > pos else block.body
            elif block.end <= cut < block.stop:
                back = text.rfind("\n", pos, block.end - 1) + 1 if self.line else block.end - 1
                cut = back if back > pos else block.stop  # a closing fence never starts a piece
        if self.rules.entities:
            amp = text.rfind("&", max(pos + 1, cut - 12), cut)
            entity = _ENTITY.match(text, amp) if amp >= 0 else None
            if entity is not None and entity.end() > cut:
                cut = amp
            bracket = text.rfind("<", low, cut)
            if bracket > pos and text.find(">", bracket, cut) < 0:
                cut = bracket
        return cut

    def _near(self, cut: int) -> list[Block]:
        index = bisect.bisect_right(self.bodies, cut) - 1
        return self.blocks[max(0, index) : index + 2] if self.blocks else []
