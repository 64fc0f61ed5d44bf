"""parse_step on hostile replies up to 200 KB: linear time, and still nothing but a step or StepParseError.

A step is parsed up to three times, on the event loop every chat shares, so a slow parse stalls them all: the old
fence regex took seconds on "```" followed by spaces (quadratic backtracking).
"""

import time

from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.errors import StepParseError
from core.strategies.step_parser import ParsedStep, parse_step
from core.text import one_line, safe_text

LIMIT = 200_000
_PIECES = [
    "`",
    "```",
    "```json",
    "```JSON\n",
    " ",
    "\n",
    "{",
    "}",
    "[",
    "]",
    ",",
    ", ",
    '"',
    ":",
    "\\",
    "\\ud800",
    "\\u0000",
    '"content": "',
    '"title": "',
    '{"content": "x"},',
    "x",
    "\u200b",
    "\u202e",
]
_runs = st.lists(st.tuples(st.sampled_from(_PIECES), st.integers(1, 60_000)), min_size=1, max_size=6)


def _check(text: str) -> None:
    began = time.perf_counter()
    try:
        step = parse_step(text)
    except StepParseError:
        step = None
    took = time.perf_counter() - began
    assert took < 0.5, f"{len(text):,} characters took {took:.2f} s"
    if step is not None:
        assert isinstance(step, ParsedStep)
        assert one_line(step.content)
        assert step.title
        assert one_line(step.title) == step.title
        assert safe_text(step.content) == step.content
        assert step.next_action in ("continue", "final_answer")


@settings(max_examples=40, deadline=None)
@given(_runs)
@example([("```", 1), (" ", 20_000)])  # seconds before: the fence regex backtracked over the spaces
@example([("```json", 1), (" ", LIMIT)])
@example([("```", 1), ("{", 1), (",", 1), (" ", LIMIT)])
@example([("`", LIMIT)])
@example([("```{", LIMIT // 4)])
@example([("{", LIMIT // 2), ("}", LIMIT // 2)])
@example([('{"content": ', 1), ("[", 900), ('"x"', 1), ("]", 900), ("}", 1), (" ", LIMIT)])
def test_hostile_replies_parse_in_linear_time(runs):
    _check("".join(piece * count for piece, count in runs)[:LIMIT])


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=40), st.integers(1, 5_000))
def test_hostile_patterns_repeated_to_200_kb(pattern, times):
    _check(("".join(pattern) * times)[:LIMIT])
