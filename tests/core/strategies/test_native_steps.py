"""The native strategy's step splitter: where steps end, their titles, limits, and any chunking giving the same."""

import time
from collections import defaultdict

from hypothesis import example, given
from hypothesis import strategies as st

from core.strategies.reasoning_steps import MIN_STEP_CHARS, TITLE_CHARS, Finished, Piece, StepSplitter, Written
from core.text import one_line

LONG = "We need to count the letter r in the word strawberry, carefully and one letter at a time. " * 4


def split(pieces: list[str], *, max_chars: int = 4096, min_chars: int = MIN_STEP_CHARS) -> list[Piece]:
    splitter = StepSplitter(max_chars=max_chars, min_chars=min_chars)
    out: list[Piece] = []
    for piece in pieces:
        out += splitter.feed(piece)
    return out + splitter.close()


def steps(text: str, **kw: int) -> list[tuple[str, str]]:
    return [(p.title, p.content) for p in split([text], **kw) if isinstance(p, Finished)]


def test_paragraphs_become_steps_once_a_step_holds_a_few_sentences():
    short = "Spell it: s-t-r-a-w-b-e-r-r-y."
    text = f"{LONG}\n\n{short}\n\nThat gives r at 3, 8 and 9.\n\n\n\n{LONG}"
    assert steps(text) == [
        ("We need to count the letter r in…", LONG.strip()),
        (
            "Spell it: s-t-r-a-w-b-e-r-r-y. That gives r at 3,…",
            f"{short}\n\nThat gives r at 3, 8 and 9.\n\n{LONG.strip()}",
        ),
    ]


def test_a_heading_starts_a_step_and_names_it_without_being_repeated():
    text = "Short start.\n## Counting the Rs ##\nr at 3, 8, 9.\n### Checking\n#### By halves\nstraw 1, berry 2."
    assert steps(text) == [
        ("Short start.", "Short start."),
        ("Counting the Rs", "r at 3, 8, 9."),
        ("Checking", "#### By halves\nstraw 1, berry 2."),
    ]


def test_a_bold_lead_in_names_its_step():
    text = f"{LONG}\n\n**Double-checking.** Straw has one r and berry has two.\n\n   **Unclosed bold goes on"
    assert [title for title, _ in steps(text)] == ["We need to count the letter r in…", "Double-checking"]


def test_titles_are_one_short_line_cut_at_a_word_boundary():
    [(title, _)] = steps("# " + "Supercalifragilistic " * 10 + "\nbody")
    assert title == "Supercalifragilistic Supercalifragilistic…"
    [(title, _)] = steps("x" * 500)
    assert len(title) == TITLE_CHARS
    assert title.endswith("…")
    [(title, _)] = steps("# \u200bevil\u200b title\n**`code`** and more")
    assert title == "evil title"
    [(title, content)] = steps("##   \n")
    assert (title, content) == ("##", "##")


def test_a_line_past_the_step_limit_goes_on_in_a_new_step():
    assert [c for _, c in steps("abcdefghij" * 3, max_chars=12)] == ["abcdefghijab", "cdefghijabcd", "efghij"]


def test_blank_reasoning_makes_no_step():
    assert split([" \n\n\t", "\n  "]) == []


def test_each_step_is_written_before_it_is_finished():
    pieces = split([LONG, "\n\n## Next\n", "more"])
    assert [type(p).__name__ for p in pieces] == ["Written", "Finished", "Written", "Written", "Finished"]
    assert [p.index for p in pieces] == [1, 1, 2, 2, 2]


_WORDS = st.sampled_from(
    ["word", "x" * 40, " ", "  ", "\n", "\n\n", "#", "## ", "####### ", "    ", "\t", "**", "Bold.**", "`", "é", "🙂"]
)
_reasonings = st.lists(_WORDS, max_size=60).map("".join)


def by_step(pieces: list[Piece]) -> tuple[list[Finished], dict[int, str]]:
    finished = [p for p in pieces if isinstance(p, Finished)]
    written: dict[int, str] = defaultdict(str)
    for piece in pieces:
        if isinstance(piece, Written):
            written[piece.index] += piece.text
    return finished, dict(written)


@given(
    text=_reasonings, cuts=st.lists(st.integers(0, 400), max_size=15), limits=st.sampled_from([(40, 12), (4096, 300)])
)
@example(text="## a\nb\n\n## c", cuts=[1, 2, 3, 5, 6, 7], limits=(4096, 0))
@example(text="   #\n", cuts=[1, 2, 3, 4], limits=(4096, 300))
def test_any_chunking_gives_the_same_steps_within_the_limits(text: str, cuts: list[int], limits: tuple[int, int]):
    max_chars, min_chars = limits
    points = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    whole = split([text], max_chars=max_chars, min_chars=min_chars)
    for chunks in (pieces, list(text)):
        assert by_step(split(chunks, max_chars=max_chars, min_chars=min_chars)) == by_step(whole)
    finished, written = by_step(whole)
    assert [p.index for p in finished] == list(range(1, len(finished) + 1)) == sorted(written)
    for step in finished:
        assert 0 < len(step.content) <= max_chars
        assert step.content.strip() == step.content
        assert 0 < len(step.title) <= TITLE_CHARS
        assert one_line(step.title) == step.title
    seen: set[int] = set()
    for piece in whole:  # no text of a step after it is finished, steps in order
        assert piece.index not in seen
        if isinstance(piece, Finished):
            seen.add(piece.index)
    assert "".join("".join(written.values()).split()) == "".join(text.split())  # only whitespace is dropped


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(5):
        began = time.perf_counter()
        split(list(text), max_chars=4096)
        best = min(best, time.perf_counter() - began)
    return best


def test_time_grows_linearly_whatever_the_model_writes():
    for unit in ("a b\n\n", "#" * 7, " " * 50 + "\n", "## t\n", "x"):
        small, large = _seconds(unit * (8_000 // len(unit))), _seconds(unit * (64_000 // len(unit)))
        # Linear is 8x; quadratic would be 64x. 32x leaves room for a loaded machine (26x was seen at load 4).
        assert large < 8 * 4 * small, f"{unit!r}: 8 times the text took {large / small:.1f} times as long"
