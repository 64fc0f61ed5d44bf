"""Question sets: the built-in ones, generated here with known answers, and JSON Lines files.

Built-in sets are made offline and are the same on every run and machine (no clock, no global random state: string
seeds, which :class:`random.Random` hashes with SHA-512):

- ``letters``: "How many Rs are in strawberry?" over many words, each asked for its most repeated letter and for
  one other (present once, or absent); strawberry's R comes first, so ``--limit 1`` is g1's question.
- ``decimals``: "Is 9.11 larger than 9.9? Answer yes or no.", mostly pairs where the longer decimal is the smaller
  number (the trap), some where it is not, in both orders so that "yes" is right about half the time.
- ``arithmetic``: small word problems with one whole-number answer.

A file has one JSON object a line: ``{"question": "...", "answer": "..."}``, and optionally ``"checker"`` (a name
from :data:`core.eval.scoring.CHECKERS`; ``match`` when absent) and ``"id"``. Blank lines are skipped.

``gym:TASK[:SIZE]`` is a reasoning-gym task's set, generated here (:mod:`core.eval.gym`; the ``eval`` extra).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from core.eval.extras import MissingExtraError
from core.eval.gym import GymError, check_item, gym_items, is_gym_checker, is_gym_spec
from core.eval.math_check import math_library
from core.eval.scoring import CHECKERS, DEFAULT_CHECKER, is_checker

__all__ = [
    "BUILT_IN",
    "Question",
    "QuestionSetError",
    "arithmetic_set",
    "check_ready",
    "decimal_question",
    "decimals_set",
    "letter_question",
    "letters_set",
    "load_set",
    "read_jsonl",
    "set_name",
]


class QuestionSetError(ValueError):
    """A set that cannot be used; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    answer: str
    checker: str = DEFAULT_CHECKER

    def __post_init__(self) -> None:
        if not is_checker(self.checker):
            raise QuestionSetError(f"unknown checker {self.checker!r}; choose one of: {', '.join(CHECKERS)}")

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "question": self.question, "answer": self.answer, "checker": self.checker}


# -- letters -------------------------------------------------------------------------------------------------------

WORDS = [
    "strawberry",
    "raspberry",
    "blueberry",
    "mississippi",
    "bookkeeper",
    "committee",
    "banana",
    "assessment",
    "occurrence",
    "necessary",
    "parallel",
    "embarrass",
    "possession",
    "successful",
    "tennessee",
    "address",
    "coffee",
    "balloon",
    "millennium",
    "accommodate",
    "hippopotamus",
    "referee",
    "cucumber",
    "peppermint",
    "onomatopoeia",
    "bubble",
    "giraffe",
    "lollipop",
    "programming",
    "letter",
]
_ABSENT = "zqxjkvwyfg"


def letter_question(word: str, letter: str, *, id: str = "") -> Question:
    """How many times ``letter`` is in ``word``, ignoring case."""
    count = word.casefold().count(letter.casefold())
    return Question(id=id, question=f"How many {letter.upper()}s are in {word}?", answer=str(count), checker="count")


def letters_set() -> tuple[Question, ...]:
    questions: list[Question] = []
    for number, word in enumerate(WORDS):
        counts = Counter(word)
        top = max(counts, key=lambda ch: (counts[ch], -word.index(ch)))  # most repeated, the first of a tie
        once = [ch for ch in word if counts[ch] == 1]
        absent = [ch for ch in _ABSENT if ch not in counts]
        other = once[0] if number % 2 == 0 and once else absent[number % len(absent)]
        for letter in (top, other):
            questions.append(letter_question(word, letter, id=f"letters-{len(questions) + 1}"))
    return tuple(questions)


# -- decimals ------------------------------------------------------------------------------------------------------


def decimal_question(left: str, right: str, *, id: str = "") -> Question:
    """Is ``left`` larger than ``right`` (two different decimals written as strings)?"""
    if Decimal(left) == Decimal(right):
        raise ValueError("a comparison needs two different numbers")
    answer = "yes" if Decimal(left) > Decimal(right) else "no"
    return Question(
        id=id, question=f"Is {left} larger than {right}? Answer yes or no.", answer=answer, checker="yes_no"
    )


def decimals_set(count: int = 30) -> tuple[Question, ...]:
    rng = random.Random("thinkbot-eval-decimals")
    questions: list[Question] = []
    for number in range(count):
        whole = rng.randint(0, 20)
        tenth = rng.randint(1, 8)
        if number % 3 == 2:  # no trap: the longer decimal is the larger
            hundredths = rng.randint(tenth * 10 + 1, tenth * 10 + 9)
        else:  # the trap: more digits after the point, a smaller number (9.11 < 9.9)
            hundredths = rng.randint(10, tenth * 10 - 1) if tenth > 1 else rng.randint(1, 9)
        short, long = f"{whole}.{tenth}", f"{whole}.{hundredths:02d}"
        left, right = (short, long) if number % 2 == 0 else (long, short)
        questions.append(decimal_question(left, right, id=f"decimals-{number + 1}"))
    return tuple(questions)


# -- arithmetic ----------------------------------------------------------------------------------------------------

_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Emma", "Femi", "Gus", "Hana", "Ivan", "Jia")
_THINGS = ("apples", "marbles", "stickers", "pencils", "cookies", "stamps")


def _buys_and_gives(rng: random.Random, name: str, things: str) -> tuple[str, int]:
    a, b = rng.randint(3, 20), rng.randint(2, 15)
    c = rng.randint(1, a + b - 1)
    text = f"{name} has {a} {things}, buys {b} more and then gives {c} to a friend. How many {things} are left?"
    return text, a + b - c


def _boxes(rng: random.Random, name: str, things: str) -> tuple[str, int]:
    a, b = rng.randint(3, 12), rng.randint(2, 9)
    return f"{name} fills {b} boxes with {a} {things} each. How many {things} is that in all?", a * b


def _shares(rng: random.Random, name: str, things: str) -> tuple[str, int]:
    each, friends = rng.randint(2, 12), rng.randint(2, 8)
    text = f"{name} shares {each * friends} {things} equally among {friends} friends. How many does each get?"
    return text, each


def _pages(rng: random.Random, name: str, things: str) -> tuple[str, int]:
    a, b, c = rng.randint(5, 30), rng.randint(2, 7), rng.randint(1, 25)
    return f"{name} reads {a} pages a day for {b} days, then {c} pages more. How many pages is that?", a * b + c


def _prices(rng: random.Random, name: str, things: str) -> tuple[str, int]:
    shirt = rng.randint(12, 40)
    less = rng.randint(2, shirt - 5)
    text = (
        f"A shirt costs {shirt} dollars and a hat costs {less} dollars less than the shirt. "
        f"How many dollars do the shirt and the hat cost together?"
    )
    return text, shirt + shirt - less


_PROBLEMS: tuple[Callable[[random.Random, str, str], tuple[str, int]], ...] = (
    _buys_and_gives,
    _boxes,
    _shares,
    _pages,
    _prices,
)


def arithmetic_set(count: int = 30) -> tuple[Question, ...]:
    rng = random.Random("thinkbot-eval-arithmetic")
    questions: list[Question] = []
    for number in range(count):
        problem = _PROBLEMS[number % len(_PROBLEMS)]
        text, answer = problem(rng, rng.choice(_NAMES), rng.choice(_THINGS))
        questions.append(Question(id=f"arithmetic-{number + 1}", question=text, answer=str(answer), checker="number"))
    return tuple(questions)


BUILT_IN: dict[str, Callable[[], tuple[Question, ...]]] = {
    "letters": letters_set,
    "decimals": decimals_set,
    "arithmetic": arithmetic_set,
}


# -- files ---------------------------------------------------------------------------------------------------------


def read_jsonl(text: str, *, name: str) -> tuple[Question, ...]:
    """The questions of a JSON Lines text; ``name`` (the file's) prefixes ids and error messages."""
    questions: list[Question] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}, line {line_number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionSetError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict):
            raise QuestionSetError(f"{where}: expected an object with question and answer")
        question, answer = item.get("question"), item.get("answer")
        if not isinstance(question, str) or not question.strip():
            raise QuestionSetError(f"{where}: question must be a non-empty string")
        if isinstance(answer, bool) or not isinstance(answer, str | int | float):
            raise QuestionSetError(f"{where}: answer must be a string or a number")
        checker = item.get("checker", DEFAULT_CHECKER)
        if not isinstance(checker, str) or not is_checker(checker):
            raise QuestionSetError(f"{where}: unknown checker {checker!r}; choose one of: {', '.join(CHECKERS)}")
        ident = str(item.get("id") or f"{name}-{line_number}")
        questions.append(Question(id=ident, question=question, answer=str(answer), checker=checker))
    if not questions:
        raise QuestionSetError(f"{name}: no questions")
    return tuple(questions)


def _gym_set(spec: str) -> tuple[Question, ...]:
    try:
        items = gym_items(spec)
    except (GymError, MissingExtraError) as exc:
        raise QuestionSetError(str(exc)) from None
    return tuple(Question(id=i.id, question=i.question, answer=i.answer, checker=i.checker) for i in items)


def set_name(spec: str) -> str:
    """How a run names the set ``spec``: a built-in's or gym set's spec, a file's name without its suffix."""
    return spec if spec in BUILT_IN or is_gym_spec(spec) else Path(spec).stem


def check_ready(questions: Sequence[Question]) -> None:
    """Raise :class:`QuestionSetError` unless every checker the questions use can score here: the ``eval`` extra's
    packages installed when needed, and each gym item generated as the set has it."""
    try:
        for question in questions:
            if question.checker == "math":
                math_library()
            elif is_gym_checker(question.checker):
                check_item(question.checker, question.question, question.answer)
    except (GymError, MissingExtraError) as exc:
        raise QuestionSetError(str(exc)) from None


def load_set(spec: str) -> tuple[Question, ...]:
    """A built-in set by name, a gym set (``gym:TASK[:SIZE]``), or the questions of a ``.jsonl`` file."""
    if spec in BUILT_IN:
        return BUILT_IN[spec]()
    if is_gym_spec(spec):
        return _gym_set(spec)
    path = Path(spec)
    if not path.is_file():
        known = ", ".join(BUILT_IN)
        raise QuestionSetError(f"no set named {spec!r} and no such file; built-in sets: {known}, or gym:TASK[:SIZE]")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionSetError(f"{spec}: cannot read it ({exc})") from None
    return read_jsonl(text, name=path.stem)
