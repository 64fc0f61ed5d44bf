"""Steps expanded in place (adapters/discord/expand.py): one message within 2,000 characters whatever the steps,
short steps whole and long ones cut to a fair share, never inside a link, code blocks closed; the pointer's words."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.expand import (
    POINTER_ROOM,
    attached_pointer,
    cut_text,
    expand,
    fair_share,
    filename,
    missing_pointer,
    steps_pointer,
)
from adapters.discord.render import steps_text
from core.events import Step, Usage

FENCE = re.compile(r"^\s*(`{3,}|~{3,})", re.MULTILINE)
LONG = "\n\n".join(f"Paragraph {n} " + "word " * 80 for n in range(12))


def make(index: int, content: str, title: str = "") -> Step:
    return Step(chain_id="c", index=index, title=title or f"Title {index}", content=content, elapsed=1.0, usage=Usage())


def open_at_end(text: str) -> bool:
    """Whether a code block is still open after ``text`` (only a bare fence of its character, as long, closes it)."""
    opener = ""
    for line in text.split("\n"):
        match = FENCE.match(line)
        if match and not opener:
            opener = match.group(1)
        elif (
            match
            and line.strip() == match.group(1)
            and match.group(1)[0] == opener[0]
            and len(match.group(1)) >= len(opener)
        ):
            opener = ""
    return bool(opener)


def longest_pointer(rest: tuple[int, ...], steps: list[Step]) -> str:
    return max(
        steps_pointer(rest, page=99_999),
        attached_pointer(rest, filename(steps)),
        missing_pointer(rest, 10**9),
        key=len,
    )


def test_steps_that_fit_are_shown_in_full_and_point_nowhere() -> None:
    steps = [make(1, "one"), make(2, "two")]
    assert expand(steps).text == steps_text(steps, expanded=True)
    assert expand(steps).rest == ()


def test_short_steps_stay_whole_and_the_long_one_is_cut() -> None:
    steps = [make(1, "Content of step 1."), make(2, LONG), make(3, "Content of step 3.")]
    shown = expand(steps)
    assert shown.rest == (2,)
    assert "Content of step 1." in shown.text
    assert shown.text.endswith("Content of step 3.")
    assert "Paragraph 0 " in shown.text
    assert len(shown.text) <= 2000 - POINTER_ROOM


def test_two_long_steps_share_the_room() -> None:
    steps = [make(1, LONG), make(2, LONG)]
    shown = expand(steps)
    assert shown.rest == (1, 2)
    first, second = shown.text.split("**2. Title 2**")
    assert abs(len(first) - len(second)) < 200


def test_fair_share() -> None:
    assert fair_share([10, 20], 100) == 20  # both fit
    assert fair_share([10, 500, 500], 310) == 150
    assert fair_share([100, 100], 100) == 50
    assert fair_share([], 100) == 0


def whole_or_absent(link: str, cut: str) -> bool:
    return link in cut or (link[:6] not in cut and "docs.example" not in cut)


def test_a_cut_never_splits_a_masked_link_or_an_address() -> None:
    link = "[the documentation of it](https://docs.example/a/long/path)"
    for pad in range(len(link) + 10):  # wherever the limit falls in the link, it is cut before it or kept whole
        text = "w" * pad + " " + "word " * 50 + link + " after" * 80
        assert whole_or_absent(link, cut_text(text, 300)), pad
    bare = "word " * 40 + "https://example.com/" + "a" * 150 + " tail " * 40
    cut = cut_text(bare, 250)
    assert "https://" not in cut
    assert cut.endswith("word")


def test_a_cut_inside_code_closes_the_block() -> None:
    text = "Intro\n```py\n" + "\n".join(f"line_{n} = {n}" for n in range(300)) + "\n```\nafter"
    cut = cut_text(text, 500)
    assert len(cut) <= 500
    assert not open_at_end(cut)
    assert cut.endswith("```")


def test_pointers_name_the_steps_and_fit_their_room() -> None:
    assert steps_pointer((3,), page=4) == "-# … the rest of step 3: press 📜 **Steps** under the question (page 4)."
    assert steps_pointer((1, 3)).endswith("the rest of steps 1 and 3: press 📜 **Steps** under the question.")
    assert "the rest of steps 1, 2 and 5 is in steps-1-5.md" in attached_pointer((1, 2, 5), "steps-1-5.md")
    assert "the rest of 7 steps (12,345 characters in all)" in missing_pointer(tuple(range(7)), 12_345)
    many = [make(n, "x") for n in range(99_990, 100_000)]
    assert len(longest_pointer((99_998, 99_999), many)) < POINTER_ROOM
    assert len(longest_pointer(tuple(range(99_990, 100_000)), many)) < POINTER_ROOM


def test_a_file_is_named_for_its_steps() -> None:
    assert filename([make(3, "x")]) == "step-3.md"
    assert filename([make(4, "x"), make(5, "x"), make(6, "x")]) == "steps-4-6.md"


pieces = st.one_of(
    st.text(min_size=0, max_size=400),
    st.text(alphabet=st.sampled_from("ab \n[]()`~<>:/.é\u0301\u200d😀"), min_size=0, max_size=900),
    st.sampled_from(["```py", "```", "~~~", "[label](https://x.example/path)", "https://example.com/" + "p" * 300]),
    st.text(alphabet="z", min_size=200, max_size=2500),
)
contents = st.lists(pieces, max_size=12).map("\n".join)
titles = st.text(max_size=300)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(titles, contents), min_size=1, max_size=6))
def test_any_steps_expand_within_one_message_with_the_pointer(given_steps: list[tuple[str, str]]) -> None:
    steps = [make(n, content, title) for n, (title, content) in enumerate(given_steps, start=1)]
    shown = expand(steps)
    message = shown.text + ("\n" + longest_pointer(shown.rest, steps) if shown.rest else "")
    assert 0 < len(message) <= 2000
    assert not open_at_end(shown.text)
    assert set(shown.rest) <= {s.index for s in steps}
    assert list(shown.rest) == sorted(shown.rest)
    if not shown.rest:
        assert shown.text.strip()
