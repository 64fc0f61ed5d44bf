"""core.text: valid Unicode once, at the core's edge, and one visible line for titles; all in linear time."""

import time
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.text import is_blank, one_line, safe_text

_BIDI_CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
_NONCHARACTERS = [chr(c) for c in range(0xFDD0, 0xFDF0)] + [
    chr(plane + last) for plane in range(0, 0x110000, 0x10000) for last in (0xFFFE, 0xFFFF)
]
_CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\n\r"]
_FORMAT = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
_INVISIBLE_OTHERS = ["\u034f", "\u115f", "\u1160", "\u17b4", "\u180b", "\u3164", "\ufe0f", "\uffa0", "\U000e0100"]

# Any code point, lone surrogates included, with the troublesome ones drawn often.
_hostile_chars = st.one_of(
    st.characters(codec=None),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.sampled_from(["\r", "\n", "\t", "\x00", " ", "\u200d", *_BIDI_CONTROLS, *_NONCHARACTERS[:34], *_FORMAT[:40]]),
)
hostile_text = st.text(alphabet=_hostile_chars, max_size=300)


def _visible_ok(ch: str) -> bool:
    return unicodedata.category(ch) not in ("Cc", "Cs", "Cf") or ch in "\n\t"


@given(hostile_text)
@example("a\ud800b\udfffc")
@example("\ud83d\ude00")
def test_safe_text_is_valid_unicode_without_controls(text):
    safe = safe_text(text)
    safe.encode("utf-8")  # strict: no surrogate survives
    assert "\r" not in safe
    assert not any(ch in safe for ch in _CONTROLS)
    assert not any(ch in safe for ch in _BIDI_CONTROLS)
    assert not any(ch in safe for ch in _NONCHARACTERS)
    assert safe_text(safe) == safe


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r"), max_size=300))
def test_safe_text_keeps_text_that_is_already_safe(text):
    unsafe = {*_CONTROLS, *_BIDI_CONTROLS, *_NONCHARACTERS}
    if not any(ch in unsafe for ch in text):
        assert safe_text(text) is text


def test_safe_text_replaces_surrogates_and_non_characters_and_drops_controls():
    assert safe_text("a\ud800b\U0010ffff\ufdd0c") == "a\ufffdb\ufffd\ufffdc"
    assert safe_text("\ud83d\ude00 joined") == "\U0001f600 joined"  # a pair standing apart is joined
    assert safe_text("nul\x00 esc\x1b[31m del\x7f nel\x85") == "nul esc[31m del nel"
    assert safe_text("one\r\ntwo\rthree\n\tfour") == "one\ntwo\nthree\n\tfour"
    assert safe_text("invoice\u202egpj.exe \u2067x\u2069") == "invoicegpj.exe x"


def test_safe_text_keeps_emoji_sequences_and_marks_in_bodies():
    family, flag, heart = (
        "👨\u200d👩\u200d👧",
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        "❤\ufe0f",
    )
    text = f"{family} {flag} {heart} \u05e9\u05dc\u05d5\u05dd\u200f soft\u00adhyphen"
    assert safe_text(text) == text


@given(hostile_text, st.one_of(st.none(), st.integers(1, 50)))
def test_one_line_is_one_visible_trimmed_line(text, limit):
    line = one_line(text, limit)
    line.encode("utf-8")
    assert all(_visible_ok(ch) for ch in line)
    assert "\n" not in line
    assert "\t" not in line
    assert line == line.strip()
    assert "  " not in line
    assert one_line(line) == line
    if limit is not None:
        assert len(line) <= limit
        unclipped = one_line(text)
        assert line == unclipped or (line.endswith("…") and unclipped.startswith(line[:-1]))


@pytest.mark.parametrize("ch", _FORMAT + _INVISIBLE_OTHERS)
def test_one_line_removes_every_format_and_invisible_character(ch):
    assert one_line(f"a{ch}b") == "ab"


def test_one_line_collapses_whitespace_and_clips():
    assert one_line("  Step\u2028one:\n\n\tcount\u00a0 the\u3000Rs  ") == "Step one: count the Rs"
    assert one_line("abcdefghij", 5) == "abcd…"
    assert one_line("abc de fgh", 7) == "abc de…"  # no space before the ellipsis
    assert one_line("abc", 3) == "abc"
    with pytest.raises(ValueError, match="limit"):
        one_line("abc", 0)


@pytest.mark.parametrize(
    "text",
    ["", " \n\t ", "\x00\x07", "\u200b\u200c\u200d\u2060\ufeff", "\u202e\u2066 \u2069", "\u3164\u115f\ufe0f", "\u00ad"],
)
def test_text_that_shows_nothing_is_blank(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "\u200bx\u200b", "🙂", "\ud800"])
def test_text_that_shows_something_is_not_blank(text):
    assert not is_blank(text)


_RUNS = ["\ud800", "x\udc00", "\x00", "\r", "\r\n", "\u200b", "\u202e", "\ufdd0", "\U0010ffff", "\U000e0041", " ", "a "]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_RUNS), st.integers(1, 100_000)), min_size=1, max_size=4))
def test_200_kb_of_anything_takes_well_under_half_a_second(runs):
    text = "".join(piece * count for piece, count in runs)[:200_000]
    for function in (safe_text, one_line, is_blank):
        began = time.perf_counter()
        function(text)
        assert time.perf_counter() - began < 0.5, function.__name__
