"""The ``math`` checker: the answer and the expected one are the same mathematical object, by math-verify.

``\\frac{1}{2}``, ``1/2`` and ``0.5`` are equal, as are ``2x+1`` and ``1+2x``. An answer or expected value that
is a bare expression (no words beyond function names such as ``sqrt``) is read whole, as LaTeX; one written as
prose (``The answer is $\\frac{1}{2}$.``) is left to math-verify's extraction: a ``\\boxed{}`` or delimited LaTeX
first, else the final expression. math-verify comes with the ``eval`` extra and is imported on first use.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from core.eval.extras import require

__all__ = ["math_equal", "math_library", "prepared"]

_TIMEOUT = 5  # seconds per parse or comparison; math-verify's alarm works only on the main thread
_DELIMITED = re.compile(r"\$|\\\(|\\\[|\\boxed\b")
_EMPHASIS = re.compile(r"\*\*|__|`")
_LABEL = re.compile(r"^\s*(?:final\s+)?answer\s*[:：]\s*", re.IGNORECASE)
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")
_FUNCTIONS = frozenset({"sqrt", "sin", "cos", "tan", "log", "ln", "exp", "pi", "infty", "inf"})


def math_library() -> Any:
    return require("math_verify", package="math-verify", needed_by="the math checker")


def prepared(text: str) -> str:
    """``text`` as math-verify should read it: without Markdown emphasis or a label, a bare expression in ``$``."""
    text = _LABEL.sub("", _EMPHASIS.sub("", text)).strip().rstrip(".").strip()
    if _DELIMITED.search(text):
        return text
    if text and all(word.group(0) in _FUNCTIONS for word in _WORD.finditer(text)):
        return f"${text}$"
    return text


def math_equal(answer: str, expected: str) -> bool:
    library = math_library()
    timeout = _TIMEOUT if threading.current_thread() is threading.main_thread() else None
    gold = library.parse(prepared(expected), parsing_timeout=timeout)
    if not gold:
        return False
    target = library.parse(prepared(answer), parsing_timeout=timeout)
    return bool(target) and bool(library.verify(gold, target, timeout_seconds=timeout))
