"""The built-in sets are the same on every run and their answers are right; files are read or refused clearly."""

import hashlib
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.eval.scoring import CHECKERS
from core.eval.sets import (
    BUILT_IN,
    WORDS,
    QuestionSetError,
    decimal_question,
    letter_question,
    load_set,
    read_jsonl,
)


@pytest.mark.parametrize("name", list(BUILT_IN))
def test_a_built_in_set_is_deterministic_with_unique_ids(name: str) -> None:
    first, second = load_set(name), load_set(name)
    assert first == second
    assert len(first) >= 20
    assert len({q.id for q in first}) == len(first)
    assert len({q.question for q in first}) == len(first)
    assert all(q.checker in CHECKERS for q in first)


def test_letters_starts_with_g1s_question_and_counts_right() -> None:
    questions = load_set("letters")
    assert questions[0].question == "How many Rs are in strawberry?"
    assert questions[0].answer == "3"
    assert {q.question.rsplit(" ", 1)[1].rstrip("?") for q in questions} == set(WORDS)
    assert any(q.answer == "0" for q in questions)  # letters that are absent, too
    for q in questions:
        letter = q.question.split()[2][0].lower()
        word = q.question.rsplit(" ", 1)[1].rstrip("?")
        assert int(q.answer) == sum(1 for ch in word if ch == letter)


def test_decimals_mix_traps_and_both_answers() -> None:
    questions = load_set("decimals")
    answers = [q.answer for q in questions]
    assert 0.4 <= answers.count("yes") / len(answers) <= 0.6
    traps = 0
    for q in questions:
        left, right = q.question.removeprefix("Is ").split("?")[0].split(" larger than ")
        assert q.answer == ("yes" if Fraction(left) > Fraction(right) else "no")
        longer, shorter = sorted((left, right), key=len, reverse=True)
        traps += Fraction(longer) < Fraction(shorter)
    assert traps >= len(questions) // 2


def test_arithmetic_answers_are_whole_numbers() -> None:
    for q in load_set("arithmetic"):
        assert q.checker == "number"
        assert int(q.answer) >= 0


@given(
    word=st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ", min_size=1, max_size=30),
    letter=st.sampled_from("abcrxyz"),
)
def test_letter_question_counts_any_letter_in_any_word(word: str, letter: str) -> None:
    q = letter_question(word, letter)
    assert q.question == f"How many {letter.upper()}s are in {word}?"
    assert int(q.answer) == sum(1 for ch in word if ch in (letter, letter.upper()))
    assert q.checker == "count"


decimal_text = st.builds(
    lambda whole, digits: f"{whole}.{digits}",
    st.integers(0, 99),
    st.text(alphabet="0123456789", min_size=1, max_size=4),
)


@given(left=decimal_text, right=decimal_text)
def test_decimal_question_answers_by_value_not_by_digits(left: str, right: str) -> None:
    if Decimal(left) == Decimal(right):
        with pytest.raises(ValueError, match="two different numbers"):
            decimal_question(left, right)
        return
    q = decimal_question(left, right)
    assert q.question == f"Is {left} larger than {right}? Answer yes or no."
    assert q.answer == ("yes" if Fraction(left) > Fraction(right) else "no")


def test_a_jsonl_file_is_read_with_optional_checker_and_id(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(
        '{"question": "2+2?", "answer": 4, "checker": "number"}\n\n{"question": "Capital of France?", "answer": '
        '"Paris", "id": "fr"}\n',
        encoding="utf-8",
    )
    first, second = load_set(str(path))
    assert (first.id, first.answer, first.checker) == ("mine-1", "4", "number")
    assert (second.id, second.answer, second.checker) == ("fr", "Paris", "match")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json\n", "q, line 1: not JSON"),
        ('{"question": "x"}\n', "q, line 1: answer must be a string or a number"),
        ('{"answer": "x"}\n', "q, line 1: question must be a non-empty string"),
        ('{"question": "x", "answer": "y"}\n[1]\n', "q, line 2: expected an object"),
        ('{"question": "x", "answer": "y", "checker": "llm"}\n', "unknown checker 'llm'; choose one of: match"),
        ("\n\n", "q: no questions"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(QuestionSetError, match=message.replace("[", r"\[")):
        read_jsonl(text, name="q")


def test_an_unknown_set_names_the_built_in_ones() -> None:
    with pytest.raises(QuestionSetError, match="built-in sets: letters, decimals, arithmetic"):
        load_set("nope")


@pytest.mark.parametrize(
    ("name", "first", "digest"),
    [
        ("letters", "How many Rs are in strawberry?", "c63d9bf9a7f325cc"),
        ("decimals", "Is 17.8 larger than 17.19? Answer yes or no.", "bd99cffb439feef7"),
        ("arithmetic", "Ana has 14 stickers, buys 7 more and then gives 16 to a friend. How many stickers are left?",
         "c769a3b21362ac72"),
    ],
)  # fmt: skip
def test_a_built_in_set_is_the_same_in_every_process(name: str, first: str, digest: str) -> None:
    """Pinned: a change to a generator (or to how Python's Random reads a string seed) shows here, since results
    of different runs are only comparable on the same questions."""
    questions = load_set(name)
    assert questions[0].question == first
    text = json.dumps([q.as_dict() for q in questions])
    assert hashlib.sha256(text.encode()).hexdigest()[:16] == digest
