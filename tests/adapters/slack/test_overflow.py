"""fit(): messages packed into fewer, within Slack's limits, in order, with the cut said in a closing note."""

from __future__ import annotations

import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from adapters.slack.overflow import fit
from adapters.slack.render import Rendered, context, section

NOTE = re.compile(r"✂️ The rest \(([\d,]+) characters\) did not fit: a chain posts at most 12 messages in a thread\.")


def text(block: dict) -> str:  # type: ignore[type-arg]
    if block["type"] == "section":
        return str(block["text"]["text"])
    return "".join(e["text"] for e in block["elements"])


def rendered(sizes: list[list[int]], *, footer: bool) -> list[Rendered]:
    counter = iter(range(10_000))
    messages = [
        Rendered(text="fallback", blocks=tuple(section(f"<{next(counter)}>" + "x" * size) for size in run))
        for run in sizes
        if run
    ]
    if footer and messages:
        last = messages[-1]
        messages[-1] = Rendered(text=last.text, blocks=(*last.blocks, context("the footer")))
    return messages


def test_what_fits_is_left_as_it_is() -> None:
    messages = rendered([[10], [20]], footer=True)
    assert fit(messages, 2, subject="The rest", limit=12) == messages


def test_small_messages_are_packed_together_before_anything_is_cut() -> None:
    messages = rendered([[100], [100], [100], [100]], footer=True)
    [packed] = fit(messages, 1, subject="The rest", limit=12)
    assert [text(b)[:3] for b in packed.blocks] == ["<0>", "<1>", "<2>", "<3>", "the"]


@settings(max_examples=80, deadline=None)
@given(
    sizes=st.lists(st.lists(st.integers(min_value=1, max_value=2990), min_size=1, max_size=8), min_size=1, max_size=12),
    slots=st.integers(min_value=1, max_value=6),
    footer=st.booleans(),
)
def test_within_the_slots_and_slacks_limits_in_order_and_the_cut_is_counted(
    sizes: list[list[int]], slots: int, footer: bool
) -> None:
    messages = rendered(sizes, footer=footer)
    # Its input is the renderer's output, which keeps every message within Slack's limits.
    assume(all(sum(len(text(b)) for b in m.blocks) <= 12_000 for m in messages))
    result = fit(messages, slots, subject="The rest", limit=12)
    if len(messages) <= slots:
        assert result == messages
    assert len(result) <= slots
    for message in result:
        assert len(message.blocks) <= 50
        assert sum(len(text(b)) for b in message.blocks) <= 12_000
    kept = [text(b) for m in result for b in m.blocks if b["type"] == "section"]
    original = [text(b) for m in messages for b in m.blocks if b["type"] == "section"]
    assert kept == original[: len(kept)]  # the start, in order
    notes = [NOTE.fullmatch(text(b)) for m in result for b in m.blocks if b["type"] == "context"]
    cut = [n for n in notes if n]
    if len(kept) < len(original):
        [note] = cut
        assert int(note.group(1).replace(",", "")) == sum(len(t) for t in original[len(kept) :])
    else:
        assert cut == []
    if footer:
        assert any(b["type"] == "context" and text(b) == "the footer" for b in result[-1].blocks)
