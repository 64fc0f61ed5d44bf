"""The pages of a chain's private Steps view: one step a page, a long step over several (split by Discord's rules,
:func:`adapters.discord.split.split_text`), then the answer. Pure: the pages come from the chain's record, so the
same chain gives the same pages in any process, and a page number in a button's custom id stays valid while the
chain grows (pages are only ever added at the end)."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.chat import wording
from adapters.discord import render
from adapters.discord.split import MESSAGE_LIMIT, split_text
from core.state import ChainRecord
from core.text import one_line

__all__ = ["PAGE_TEXT", "Page", "chain_pages"]

_FOOTNOTE = 120  # room kept under each page for its footnote
PAGE_TEXT = MESSAGE_LIMIT - _FOOTNOTE
_TITLE_SHOWN = 90


@dataclass(frozen=True, slots=True)
class Page:
    """One page: its ``text`` (within Discord's 2,000 characters) and the step it shows (``None``: the answer or
    a note); ``label`` names it in a jump list (plain text: a select option shows it as is)."""

    text: str
    step: int | None
    label: str


def chain_pages(record: ChainRecord) -> list[Page]:
    """Every page of ``record``'s chain, in order; never empty."""
    pages: list[Page] = []
    total = len(record.steps)
    for step in record.steps:
        parts = split_text(render.step_text(step, expanded=True), limit=PAGE_TEXT)
        label = f"{step.index}. {one_line(step.title, _TITLE_SHOWN) or 'Step'}"
        for number, part in enumerate(parts, start=1):
            where = f"Step {step.index} of {total}" + (f", part {number} of {len(parts)}" if len(parts) > 1 else "")
            pages.append(Page(text=f"{part}\n-# {where}", step=step.index, label=label))
    if record.answer:
        parts = split_text(f"✅ **Answer**\n{render.defang(record.answer.strip())}", limit=PAGE_TEXT)
        for number, part in enumerate(parts, start=1):
            where = "The answer" + (f", part {number} of {len(parts)}" if len(parts) > 1 else "")
            pages.append(Page(text=f"{part}\n-# {where}", step=None, label="Answer"))
    if record.status == "running":
        note = f"-# {wording.step_count(total)} so far: still thinking. Open Steps again later for the rest."
        pages.append(Page(text=note, step=None, label="Still thinking"))
    elif not pages:
        reason = render.defang(record.error or "No steps were kept for this chain.")
        pages.append(Page(text=f"-# {reason}", step=None, label="No steps"))
    return pages
