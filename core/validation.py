"""Checks a question before any work is done on it."""

from __future__ import annotations

import re

from core.errors import InputError
from core.text import is_blank, safe_text

__all__ = ["clean_question"]

_BLANK_LINES = re.compile(r"\n{3,}")


def clean_question(text: str, *, max_chars: int) -> str:
    """The question made safe (:func:`core.text.safe_text`), blank runs of lines shortened, ends trimmed.

    Refused: a question that shows nothing (empty, or only whitespace, controls and invisible characters such as
    zero-width spaces) and one over ``max_chars`` characters.
    """
    text = _BLANK_LINES.sub("\n\n", safe_text(text)).strip()
    if is_blank(text):
        raise InputError("Please include a question: the message was empty.")
    if len(text) > max_chars:
        raise InputError(
            f"That question is {len(text):,} characters long; the limit is {max_chars:,}. Please shorten it."
        )
    return text
