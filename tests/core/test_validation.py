import pytest

from core.errors import InputError
from core.validation import clean_question


@pytest.mark.parametrize("text", ["", "   ", "\n\t \r\n", "\x00\x07\x1b"])
def test_empty_or_blank_is_refused(text):
    with pytest.raises(InputError, match="empty"):
        clean_question(text, max_chars=100)


def test_over_long_is_refused_with_both_numbers():
    with pytest.raises(InputError, match=r"4,001 characters long; the limit is 4,000"):
        clean_question("x" * 4001, max_chars=4000)


def test_exactly_at_limit_is_accepted():
    assert clean_question("x" * 4000, max_chars=4000) == "x" * 4000


def test_control_characters_stripped_newlines_and_tabs_kept():
    assert clean_question("  How\x00 many\x1b[31m Rs?\r\n\tin\x7f strawberry ", max_chars=100) == (
        "How many[31m Rs?\n\tin strawberry"
    )


def test_limit_applies_after_stripping():
    assert clean_question("a" + "\x00" * 50, max_chars=1) == "a"


@pytest.mark.parametrize(
    "text", ["\u200b", "\u200b\u200c\u200d\u2060\ufeff", " \u202e \u2066\u2069 ", "\u3164\n\u00ad", "\U000e0041\ufe0f"]
)
def test_a_question_of_invisible_characters_is_refused_as_empty(text):
    with pytest.raises(InputError, match="empty"):
        clean_question(text, max_chars=100)


def test_bidi_controls_are_removed_and_emoji_sequences_kept():
    question = "Is invoice\u202egpj.exe safe? \u2066\u05e9\u05dc\u05d5\u05dd\u2069 👨\u200d👩\u200d👧"
    assert (
        clean_question(question, max_chars=100) == "Is invoicegpj.exe safe? \u05e9\u05dc\u05d5\u05dd 👨\u200d👩\u200d👧"
    )


def test_lone_surrogates_become_replacement_characters():
    cleaned = clean_question("why\ud800 \udfff?", max_chars=100)
    assert cleaned == "why\ufffd \ufffd?"
    cleaned.encode("utf-8")
