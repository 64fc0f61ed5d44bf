"""Checkers: a right answer in the shapes models write it, and the near misses that must not pass."""

import pytest

from core.eval.scoring import CHECKERS, final_number, normalise, score


@pytest.mark.parametrize(
    ("answer", "expected", "checker", "right"),
    [
        ("There are **3** Rs in strawberry.", "3", "count", True),
        ("The letter R appears three times in strawberry.", "3", "count", True),
        ("**Answer:** 3", "3", "count", True),
        ("There are **2** Rs (at positions 3 and 8).", "3", "count", False),
        ("There are 2 Rs in strawberry.", "3", "count", False),
        ("It comes to 1,200 dollars.", "1200", "number", True),
        ("First 12 + 8 = 20, minus 5 gives 15.", "15", "number", True),
        ("The total is -5.", "-5", "number", True),
        ("The answer is 15.5", "15", "number", False),
        ("No, 9.11 is smaller than 9.9.", "no", "yes_no", True),
        ("**Yes**", "yes", "yes_no", True),
        ("Comparing the tenths, 9.9 is larger, so no.", "no", "yes_no", True),
        ("Yes.", "no", "yes_no", False),
        ("I cannot tell.", "no", "yes_no", False),
        ("Comparing them, yes it looks so, but no.", "no", "yes_no", False),
        ("**Answer:** Paris.", "paris", "match", True),
        ("  PARIS ", "Paris", "match", True),
        ("Paris, France", "Paris", "match", False),
    ],
)
def test_checkers(answer: str, expected: str, checker: str, right: bool) -> None:
    assert score(answer, expected, checker) is right


def test_every_checker_is_named_and_match_is_the_default() -> None:
    assert set(CHECKERS) == {"match", "number", "count", "yes_no", "math"}
    assert score("answer: 42", "42")


def test_final_number_and_normalise() -> None:
    assert final_number("between 3 and twelve") == 12
    assert final_number("no digits here") is None
    assert final_number("r3 is not a number, 4th neither") is None
    assert normalise("  *The*   `Answer`!  ") == "the answer"
