"""The pages of the private Steps view: one step a page (a long one over several), then the answer; every page
within Discord's 2,000 characters whatever the steps say, and nothing of a step left out."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.steps_view import chain_pages
from core.events import Step
from core.llm.types import Usage
from core.state import ChainRecord

_WORD = re.compile(r"[A-Za-z0-9]{3,}")
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=5000)


def record(contents: list[tuple[str, str]], *, answer: str | None, status: str = "answered") -> ChainRecord:
    steps = tuple(
        Step(chain_id="c0ffee", index=n, title=title, content=content, elapsed=1.0, usage=Usage())
        for n, (title, content) in enumerate(contents, start=1)
    )
    return ChainRecord(
        chain_id="c0ffee", question="q", asker="discord:1", place="discord:guild:2", strategy="g1", model="m",
        status=status, steps=steps, answer=answer,  # type: ignore[arg-type]
    )  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=6), st.one_of(st.none(), texts))
def test_every_page_fits_and_keeps_every_word_in_order(contents: list[tuple[str, str]], answer: str | None) -> None:
    pages = chain_pages(record(contents, answer=answer))
    assert all(len(page.text) <= 2000 for page in pages)
    assert [page.step for page in pages if page.step is not None] == sorted(p.step for p in pages if p.step)
    assert {page.step for page in pages if page.step is not None} == set(range(1, len(contents) + 1))
    for index, (_, content) in enumerate(contents, start=1):
        shown = "".join(page.text for page in pages if page.step == index)
        for word in _WORD.findall(content):
            assert word in shown


def test_a_long_step_takes_several_pages_then_comes_the_answer() -> None:
    long = "\n\n".join(f"Paragraph {n} " + "word " * 80 for n in range(12))
    pages = chain_pages(record([("Short", "one"), ("Long", long)], answer="It is 4."))
    assert [page.step for page in pages] == [1, 2, 2, 2, None]
    assert pages[1].text.endswith("-# Step 2 of 2, part 1 of 3")
    assert pages[-1].text.startswith("✅ **Answer**\nIt is 4.")


def test_a_running_chain_ends_with_a_note_and_a_chain_without_steps_says_why() -> None:
    running = chain_pages(record([("Short", "one")], answer=None, status="running"))
    assert [page.step for page in running] == [1, None]
    assert "1 step so far: still thinking" in running[-1].text
    failed = ChainRecord(
        chain_id="c", question="q", asker="a", place="p", strategy="g1", model="m", status="failed",
        error="The model is busy @everyone",
    )  # fmt: skip
    [only] = chain_pages(failed)
    assert only.text == "-# The model is busy @\u200beveryone"
