"""The one splitter, under both platforms' rules: limits, no blank piece, nothing lost, linear time, closed fences."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.chat.split import Piece, Rules, split_pieces, split_text, utf16_length
from tests.adapters.chat.hostile import hostile

DISCORD = Rules(limit=2000, fences="line", min_limit=128)
SLACK = Rules(limit=3000, fences="inline", min_limit=16, measure=utf16_length, entities=True)
OPENER = re.compile(r"(`{3,}|~{3,})[\w+#.-]{0,20}\n?")
CLOSER = re.compile(r"\n?(`{3,}|~{3,})")
LINE_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
SLOW = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def nonspace(text: str) -> str:
    return "".join(text.split())


def check_contract(text: str, pieces: list[Piece], rules: Rules) -> None:
    for piece in pieces:
        assert rules.measure(piece.text) <= rules.limit
        assert piece.body.strip()
        assert OPENER.fullmatch(piece.opener) or not piece.opener
        assert CLOSER.fullmatch(piece.closer) or not piece.closer
    assert nonspace("".join(p.body for p in pieces)) == nonspace(text)


@pytest.mark.parametrize("rules", [DISCORD, SLACK], ids=["discord", "slack"])
@SLOW
@given(text=hostile())
def test_hostile_text_fits_is_never_blank_loses_nothing_and_takes_linear_time(text: str, rules: Rules) -> None:
    start = time.perf_counter()
    pieces = split_pieces(text, rules)
    assert time.perf_counter() - start < 1.0  # generous: a quadratic cut search takes seconds at 200 KB
    check_contract(text, pieces, rules)
    assert split_text(text, rules) == [p.text for p in pieces]


@pytest.mark.parametrize("limit", [16, 40, 127])
@settings(max_examples=60, deadline=None)
@given(text=hostile(3000))
def test_tiny_slack_limits_still_hold(text: str, limit: int) -> None:
    rules = Rules(limit=limit, fences="inline", min_limit=16, measure=utf16_length, entities=True)
    check_contract(text, split_pieces(text, rules), rules)


def open_at_end(text: str, cap: int) -> bool:
    """CommonMark: whether a line-fenced code block is still open after ``text`` (fence lines over ``cap``
    characters are text to the splitter, so the oracle ignores them too)."""
    opened: str | None = None
    for line in text.split("\n"):
        match = LINE_FENCE.fullmatch(line.rstrip("\r"))
        if match is None or len(line) > cap:
            continue
        marker, rest = match.groups()
        if opened is None and not (marker[0] == "`" and "`" in rest):
            opened = marker
        elif opened and marker[0] == opened[0] and len(marker) >= len(opened) and not rest.strip():
            opened = None
    return opened is not None


FENCED = st.lists(
    st.one_of(
        st.sampled_from(["```py", "```", "~~~", "~~~~~", "`" * 40, "~" * 50, "````", "", "  ```"]),
        st.text(alphabet=st.sampled_from("ab `~\n"), max_size=300),
        st.text(alphabet="z", min_size=200, max_size=900),
    ),
    max_size=60,
).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(FENCED, st.sampled_from([128, 500, 2000]))
def test_line_fences_are_closed_at_every_cut_and_reopened(text: str, limit: int) -> None:
    rules = Rules(limit=limit, fences="line", min_limit=128)
    pieces = [p.text for p in split_pieces(text, rules)]
    cap = rules.fence_cap or 0
    assert not any(open_at_end(p, cap) for p in pieces[:-1])
    if pieces:
        assert open_at_end(pieces[-1], cap) == open_at_end(text.strip(), cap)


INLINE = st.lists(
    st.one_of(st.just("```"), st.text(alphabet=st.sampled_from("ab &\n"), max_size=200)), max_size=40
).map(lambda parts: "x".join(parts))


@settings(max_examples=150, deadline=None)
@given(INLINE, st.sampled_from([16, 60, 500]))
def test_inline_fences_are_balanced_in_every_piece_but_an_open_last(text: str, limit: int) -> None:
    rules = Rules(limit=limit, fences="inline", min_limit=16, measure=utf16_length, entities=True)
    pieces = [p.text for p in split_pieces(text, rules)]
    assert all(p.count("```") % 2 == 0 for p in pieces[:-1])
    if pieces:
        assert pieces[-1].count("```") % 2 == text.count("```") % 2


def test_a_long_fence_is_closed_with_a_fence_as_long_and_reopened_short() -> None:
    text = "Intro\n" + "~" * 100 + "\n" + "lorem ipsum " * 400
    pieces = split_pieces(text, DISCORD)
    assert [p.closer for p in pieces] == ["\n" + "~" * 100, "\n~~~", ""]
    assert [p.opener for p in pieces] == ["", "~~~\n", "~~~\n"]
    assert all(len(p.text) <= 2000 for p in pieces)


def test_a_reopened_fence_outlasts_the_shorter_fences_inside_its_block() -> None:
    code = "\n".join(["`" * 5, "x = 1", "`" * 3, "y = 2", "`" * 4, *(f"line {n}" for n in range(300)), "`" * 5])
    pieces = split_pieces(code, Rules(limit=500, fences="line", min_limit=128))
    assert len(pieces) > 2
    assert all(p.opener == "`" * 5 + "\n" for p in pieces[1:])


def test_emoji_count_twice_for_slack_once_for_discord() -> None:
    text = "😀" * 5000
    assert [utf16_length(p) for p in split_text(text, SLACK)] == [3000, 3000, 3000, 1000]
    assert [len(p) for p in split_text(text, DISCORD)] == [2000, 2000, 1000]


def test_slack_never_cuts_an_entity_or_a_short_link() -> None:
    text = "a" * 2997 + "&amp;" + "b" * 100
    assert split_text(text, SLACK)[0].endswith("a" * 10)
    link = "<https://x.example/docs|the docs>"
    pieces = split_text("word " * 590 + link + " tail" * 200, SLACK)
    assert any(link in p for p in pieces)


def test_a_cut_keeps_an_emoji_with_its_modifiers() -> None:
    family = "👨\u200d👩\u200d👧"
    pieces = split_text("x" * 1999 + family, DISCORD)
    assert pieces == ["x" * 1999, family]


def test_limits_below_the_rules_minimum_are_refused() -> None:
    with pytest.raises(ValueError, match="room for code fences"):
        split_text("x", Rules(limit=20, fences="line", min_limit=128))
