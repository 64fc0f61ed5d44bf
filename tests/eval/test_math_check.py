"""The math checker: equal mathematical objects in the forms models write them pass, near misses do not, and without
math-verify it says how to install it (math-verify is in ``dev``, so these run for real)."""

import json
import re
import sys

import pytest

from core.eval.extras import MissingExtraError
from core.eval.math_check import prepared
from core.eval.scoring import score
from core.eval.sets import Question, QuestionSetError, check_ready, read_jsonl


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("0.5", r"\frac{1}{2}"),
        (r"\frac{1}{2}", "0.5"),
        ("1/2", r"\frac{1}{2}"),
        ("1+2x", "2x+1"),
        ("**Answer:** 1 + 2x", "2x+1"),
        (r"The answer is $\frac{1}{2}$.", "0.5"),
        (r"Putting it together: \boxed{\sqrt{2}}", "2^{1/2}"),
        ("sqrt(2)", r"\sqrt{2}"),
        ("$x^2-1$", "(x-1)(x+1)"),
        ("The total is **12**.", "12"),
    ],
)
def test_equal_forms_pass(answer: str, expected: str) -> None:
    assert score(answer, expected, "math")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("0.6", r"\frac{1}{2}"),
        ("2x+2", "2x+1"),
        ("It is 2x+2.", "2x+1"),
        ("1/3", "0.5"),
        (r"$\sqrt{3}$", r"\sqrt{2}"),
        ("I do not know.", "3"),
        ("", "3"),
    ],
)
def test_different_values_fail(answer: str, expected: str) -> None:
    assert not score(answer, expected, "math")


def test_a_bare_expression_is_read_whole_and_prose_is_left_to_extraction() -> None:
    assert prepared("**1+2x**.") == "$1+2x$"
    assert prepared(r"\frac{1}{2}") == r"$\frac{1}{2}$"
    assert prepared("The answer is 3") == "The answer is 3"
    assert prepared("$x$ is 3") == "$x$ is 3"


def test_a_file_may_ask_for_the_math_checker() -> None:
    line = json.dumps({"question": "Half as a decimal?", "answer": r"\frac{1}{2}", "checker": "math"})
    [question] = read_jsonl(line, name="halves")
    assert question.checker == "math"
    check_ready([question])
    assert score("It is 0.5", question.answer, question.checker)


def test_without_math_verify_the_checker_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "math_verify", None)  # what an import finds when the package is absent
    expected = "the math checker needs math-verify, which is not installed: pip install 'thinkbot[eval]'"
    halves = Question(id="h", question="Half?", answer="0.5", checker="math")
    with pytest.raises(QuestionSetError, match=f"^{re.escape(expected)}$"):
        check_ready([Question(id="n", question="Two?", answer="2", checker="number"), halves])
    with pytest.raises(MissingExtraError, match=re.escape(expected)):
        score("0.5", "0.5", "math")
    check_ready([Question(id="n", question="Two?", answer="2", checker="number")])  # other checkers need nothing
