"""The one place untrusted text is made safe, where it enters the core.

Questions, earlier turns and everything a model wrote pass through :func:`safe_text` once, so every writer after
that (the result cache, the single-flight stream, chain records, the terminal's ``--json``) gets valid Unicode
with nothing that can disguise text. Whatever becomes a title, a thread name or a header goes through
:func:`one_line` as well; adapters use it too. Emptiness is judged on the one-line form (:func:`is_blank`), so a
question or answer made only of invisible characters counts as empty.

Every function here runs in linear time: one regex character-class scan (no backtracking), ``str.replace``,
``str.split`` and an encode/decode round trip.
"""

from __future__ import annotations

import re

__all__ = ["is_blank", "one_line", "safe_text"]

_REPLACEMENT = "\ufffd"
_ELLIPSIS = "…"

# C0 controls but \t and \n (\r is turned into \n first), DEL and the C1 controls.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# Bidi embeddings, overrides and isolates: they reorder what follows them, which can make text read as something
# else ("invoice\u202egpj.exe" shows as "invoiceexe.jpg"). Text renders without them; an LLM has no use for them.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"
# Non-characters: U+FDD0..U+FDEF and the last two code points of every plane.
_BMP_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff"
_ASTRAL_NONCHARACTERS = "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000)
)
# Invisible in a line: every format character (Unicode category Cf: zero-width space and joiners, bidi marks,
# word joiner, invisible operators, BOM, interlinear annotation, tags...) and every other default-ignorable code
# point (fillers, variation selectors, the Mongolian vowel separator and selectors, the combining grapheme joiner).
_BMP_INVISIBLE = (
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
)
_ASTRAL_INVISIBLE = (
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)

# The regex engine tests the BMP part of a character class with a bitmap but each astral member or range in
# turn, about ten times slower per character. So the common scans hold BMP members and one astral range, and
# the exact astral sets are only tried on text that has characters there.
_UNSAFE = re.compile(f"[\r{_CONTROLS}{_BIDI_CONTROLS}{_SURROGATES}{_BMP_NONCHARACTERS}\U0001fffe-\U0010ffff]")
_DROPPED = re.compile(f"[{_CONTROLS}{_BIDI_CONTROLS}]+")
_SURROGATE = re.compile(f"[{_SURROGATES}]")
_NONCHARACTER = re.compile(f"[{_BMP_NONCHARACTERS}{_ASTRAL_NONCHARACTERS}]")
_BMP_INVISIBLE_RUN = re.compile(f"[{_BMP_INVISIBLE}]+")
_ASTRAL_INVISIBLE_RUN = re.compile(f"[{_ASTRAL_INVISIBLE}]+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def safe_text(text: str) -> str:
    """``text`` as valid Unicode that cannot disguise itself, with its lines and layout kept.

    - ``\\r\\n`` and a lone ``\\r`` become ``\\n``;
    - dropped: NUL and the other C0 controls except ``\\t`` and ``\\n``, DEL, the C1 controls (U+0080..U+009F),
      and the bidi embedding, override and isolate controls (U+202A..U+202E, U+2066..U+2069);
    - replaced by U+FFFD: each lone surrogate (a high and low surrogate that stand side by side are joined into
      the character they encode) and each non-character (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF).

    Everything else is kept as is, zero-width joiners and variation selectors included (emoji need them).
    Returns ``text`` itself when there is nothing to change.
    """
    if _UNSAFE.search(text) is None:
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _DROPPED.sub("", text)
    if _SURROGATE.search(text) is not None:
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _NONCHARACTER.sub(_REPLACEMENT, text)


def one_line(text: str, limit: int | None = None) -> str:
    """:func:`safe_text` as one visible line: for titles, thread names and headers.

    Also removes every invisible character (format characters such as zero-width spaces and joiners, bidi marks,
    the BOM and tags; fillers; variation selectors), turns each run of whitespace (line breaks included) into one
    space and trims the ends. With ``limit``, a longer line is cut to at most ``limit`` characters, ending in "…".
    """
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    line = _BMP_INVISIBLE_RUN.sub("", safe_text(text))
    if _ASTRAL.search(line) is not None:
        line = _ASTRAL_INVISIBLE_RUN.sub("", line)
    line = " ".join(line.split())
    if limit is None or len(line) <= limit:
        return line
    return line[: limit - 1].rstrip() + _ELLIPSIS


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: empty, or only whitespace, controls and invisible characters."""
    return not one_line(text)
