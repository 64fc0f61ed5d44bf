"""Checks a question before any work is done on it."""

from __future__ import annotations

import re
import unicodedata

from core.errors import InputError

__all__ = ["clean_question"]

_KEEP = {"\n", "\t"}
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_question(text: str, *, max_chars: int) -> str:
    """Strip control characters and outer whitespace; refuse empty or over-long questions."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cs"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if not text:
        raise InputError("Please include a question: the message was empty.")
    if len(text) > max_chars:
        raise InputError(
            f"That question is {len(text):,} characters long; the limit is {max_chars:,}. Please shorten it."
        )
    return text
