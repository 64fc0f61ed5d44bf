"""Is an answer right? Each checker compares a model's final answer with the known one, never by asking an LLM.

- ``match`` (the default): equal once both are normalised: case, Markdown emphasis, surrounding punctuation and
  spacing ignored, and a leading "Answer:" label dropped.
- ``number``: the final number in the answer equals the expected number (``1,200`` and ``1200.0`` equal ``1200``).
- ``count``: for letter counts: a number in bold (``**3**``) wins, else the final number; number words up to
  twenty count as numbers ("three").
- ``yes_no``: the answer says yes or no: the first word when it is one, else the only one of the two it uses.
- ``math``: the same mathematical object by math-verify (``\\frac{1}{2}`` and ``0.5``; the ``eval`` extra):
  :mod:`core.eval.math_check`.

A gym set's questions name their reasoning-gym item as their checker (``gym:TASK:SIZE:INDEX:SEED``) and are scored
by that dataset's own ``score_answer``: :mod:`core.eval.gym`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from fractions import Fraction

from core.eval.gym import gym_score, is_gym_checker
from core.eval.math_check import math_equal

__all__ = ["CHECKERS", "DEFAULT_CHECKER", "final_number", "is_checker", "normalise", "score"]

DEFAULT_CHECKER = "match"

_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_NUMBER = re.compile(r"(?<![\w.])[-−]?\d[\d,]*(?:\.\d+)?(?![\w])|\b(?:" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_EMPHASIS = re.compile(r"[*_`~]+")
_LABEL = re.compile(r"^(?:final\s+)?answer\s*[:：]\s*", re.IGNORECASE)
_EDGES = " \t\n.,;:!?\"'“”‘’()[]"
_YES_NO = re.compile(r"\b(yes|no)\b", re.IGNORECASE)


def normalise(text: str) -> str:
    """Lower case, no Markdown emphasis, no label or punctuation around it, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _EMPHASIS.sub("", text).strip()
    text = _LABEL.sub("", text)
    return " ".join(text.split()).strip(_EDGES).casefold()


def _as_number(token: str) -> Fraction | None:
    word = token.casefold()
    if word in _WORDS:
        return Fraction(_WORDS.index(word))
    try:
        return Fraction(token.replace(",", "").replace("−", "-"))
    except (ValueError, ZeroDivisionError):
        return None


def _numbers(text: str) -> list[Fraction]:
    found = (_as_number(m.group(0)) for m in _NUMBER.finditer(unicodedata.normalize("NFKC", text)))
    return [n for n in found if n is not None]


def final_number(text: str) -> Fraction | None:
    """The last number written in ``text`` (digits, with thousands commas or decimals, or a word up to twenty)."""
    numbers = _numbers(text)
    return numbers[-1] if numbers else None


def _match(answer: str, expected: str) -> bool:
    return normalise(answer) == normalise(expected)


def _number(answer: str, expected: str) -> bool:
    want = final_number(expected)
    return want is not None and final_number(answer) == want


def _count(answer: str, expected: str) -> bool:
    want = final_number(expected)
    bold = [n for m in _BOLD.finditer(answer) for n in _numbers(m.group(2))]
    got = bold[-1] if bold else final_number(answer)
    return want is not None and got == want


def _yes_no(answer: str, expected: str) -> bool:
    said = [m.group(1).casefold() for m in _YES_NO.finditer(_EMPHASIS.sub("", answer))]
    if not said:
        return False
    first_word = normalise(answer).split(" ", 1)[0].strip(_EDGES)
    if first_word in ("yes", "no"):
        verdict = first_word
    elif len(set(said)) == 1:
        verdict = said[0]
    else:
        return False
    return verdict == normalise(expected)


CHECKERS: dict[str, Callable[[str, str], bool]] = {
    "match": _match,
    "number": _number,
    "count": _count,
    "yes_no": _yes_no,
    "math": math_equal,
}


def is_checker(name: str) -> bool:
    """A :data:`CHECKERS` name or a gym item's checker."""
    return name in CHECKERS or is_gym_checker(name)


def score(answer: str, expected: str, checker: str = DEFAULT_CHECKER) -> bool:
    """Whether ``answer`` is right by ``checker`` (a :data:`CHECKERS` name or a gym item's checker)."""
    if is_gym_checker(checker):
        return gym_score(answer, checker)
    return CHECKERS[checker](answer, expected)
