"""gym:TASK[:SIZE] sets: generated with a fixed seed, scored by the dataset's own score_answer, refused clearly.

reasoning-gym is in the ``eval`` extra, not in ``dev`` (it builds a C extension from source), so most tests run
against the stand-in in tests/eval/stand_in, which has the same interface; the tests marked ``real`` use the
package itself and are skipped only where it is not installed.
"""

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from core.eval.gym import ANSWER_INSTRUCTION, SEED
from core.eval.scoring import score
from core.eval.sets import Question, QuestionSetError, check_ready, load_set

STAND_IN = Path(__file__).with_name("stand_in")
NOT_INSTALLED = importlib.util.find_spec("reasoning_gym") is None
real = pytest.mark.skipif(NOT_INSTALLED, reason="reasoning-gym is not installed (pip install 'thinkbot[eval]')")


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The stand-in imported as reasoning_gym, for this test only."""
    spec = importlib.util.spec_from_file_location("reasoning_gym", STAND_IN / "reasoning_gym" / "__init__.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, "reasoning_gym", module)
    return module


def tagged(text: str) -> str:
    return f"Working it out… so <answer>{text}</answer>."


def test_a_gym_set_is_the_same_on_every_run_with_the_fixed_seed(stand_in: ModuleType) -> None:
    first, second = load_set("gym:sums:12"), load_set("gym:sums:12")
    assert first == second
    assert len(first) == 12
    assert len({q.id for q in first}) == 12
    assert first[0].id == "gym-sums-1"
    assert all(q.question.endswith("\n\n" + ANSWER_INSTRUCTION) for q in first)
    assert first[0].checker == f"gym:sums:12:0:{SEED}"
    assert {(c["name"], c["size"], c["seed"]) for c in stand_in.created} == {("sums", 12, SEED)}
    assert len(load_set("gym:sums")) == 20  # the default size


def test_a_gym_answer_is_scored_by_the_dataset_s_scorer(stand_in: ModuleType) -> None:
    question = load_set("gym:sums:3")[0]
    right, checker = question.answer, question.checker
    assert score(tagged(right), right, checker)
    assert score(tagged("0" + right), right, checker)  # the dataset's scorer reads numbers; a text match would not
    assert score(right, right, checker)  # no tags: the whole answer
    assert not score(tagged(str(int(right) + 1)), right, checker)
    assert not score(f"The sum is {right}.", right, checker)  # untagged prose: not full marks
    assert not score(tagged("lots"), right, checker)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gym:sum", "reasoning-gym has no task 'sum' (did you mean sums?); it has 2, e.g. broken, sums"),
        ("gym:broken", "reasoning-gym cannot make broken: AssertionError: datasets must be configured"),
        ("gym:sums:0", "gym:sums:0: the size must be 1 to 1000"),
        ("gym:sums:x", "'gym:sums:x' is not a gym set; write gym:TASK or gym:TASK:SIZE"),
    ],
)
def test_a_bad_gym_set_is_refused_in_one_line(stand_in: ModuleType, spec: str, message: str) -> None:
    with pytest.raises(QuestionSetError) as caught:
        load_set(spec)
    assert str(caught.value).startswith(message)


def test_without_reasoning_gym_a_gym_set_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "reasoning_gym", None)  # what an import finds when the package is absent
    expected = "a gym set needs reasoning-gym, which is not installed: pip install 'thinkbot[eval]'"
    with pytest.raises(QuestionSetError, match=f"^{re.escape(expected)}$"):
        load_set("gym:basic_arithmetic:5")
    recorded = Question(id="gym-sums-1", question="What is 1 + 2?", answer="3", checker=f"gym:sums:5:0:{SEED}")
    with pytest.raises(QuestionSetError, match="reasoning-gym, which is not installed"):
        check_ready([recorded])


def test_a_recorded_gym_question_this_version_makes_otherwise_is_refused(stand_in: ModuleType) -> None:
    questions = load_set("gym:sums:3")
    check_ready(questions)
    changed = Question(id="x", question=questions[1].question, answer="1000", checker=questions[1].checker)
    with pytest.raises(QuestionSetError, match="another question for this item"):
        check_ready([*questions, changed])


@real
def test_real_reasoning_gym_generates_the_same_set_and_scores_with_its_own_scorer() -> None:
    questions = load_set("gym:basic_arithmetic:5")
    assert questions == load_set("gym:basic_arithmetic:5")
    assert questions[0].question.startswith("Calculate ")
    check_ready(questions)
    for question in questions:
        assert score(tagged(question.answer), question.answer, question.checker)
        assert not score(tagged(question.answer + "1"), question.answer, question.checker)
    with pytest.raises(QuestionSetError, match="did you mean basic_arithmetic"):
        load_set("gym:basic_arithmetc")
