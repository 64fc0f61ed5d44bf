"""Slack's binding of the one splitter: fast on backtick runs, nothing lost, sections counted in UTF-16."""

from __future__ import annotations

import time

from adapters.slack.render import SECTION_TEXT
from adapters.slack.split import split_text


def measure(text: str) -> int:
    """UTF-16 code units, the stricter of the ways Slack may count."""
    return len(text.encode("utf-16-le")) // 2


def test_a_long_run_of_backticks_is_split_quickly_and_kept() -> None:
    # Issue 9, finding 2: 24,000 backticks took 6 s (the event loop froze) and came out as empty text.
    start = time.perf_counter()
    pieces = split_text("`" * 24_000, SECTION_TEXT)
    assert time.perf_counter() - start < 1.0
    assert all(measure(p) <= SECTION_TEXT for p in pieces)
    assert "".join(pieces).count("`") >= 24_000
    assert len(pieces) <= 10


def test_sections_count_astral_characters_twice() -> None:
    pieces = split_text("👍" * 2000, SECTION_TEXT)
    assert [len(p) for p in pieces] == [1500, 500]
    assert all(measure(p) <= SECTION_TEXT for p in pieces)


def test_a_code_block_cut_mid_line_is_closed_and_reopened() -> None:
    pieces = split_text("see ```" + "x" * 100 + "``` done", 60)
    assert all(p.count("```") % 2 == 0 for p in pieces)
    assert "".join(p.replace("```", "") for p in pieces).replace(" ", "") == "see" + "x" * 100 + "done"
