"""A thread message's steps expanded in place, within the one message's 2,000 characters. Pure.

Steps that fit are shown in full. Otherwise every step gets a fair share of the room (short ones whole, the long
ones cut to the same length, at a paragraph, a line or a space as :mod:`adapters.discord.split` cuts, never inside
a link or an address), and a last line says where the rest is: the Steps button, or a file attached to the
message. So expanding never posts a message, and nothing lands after the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from adapters.chat import split
from adapters.discord import render
from adapters.discord.split import MESSAGE_LIMIT, MIN_LIMIT, split_text
from adapters.discord.steps_view import chain_pages
from core.events import Step
from core.state import ChainRecord

__all__ = [
    "POINTER_ROOM",
    "Expansion",
    "attached_pointer",
    "cut_text",
    "expand",
    "fair_share",
    "filename",
    "first_page",
    "missing_pointer",
    "steps_pointer",
]

POINTER_ROOM = 150
"""Characters kept under cut steps for the line that points to the rest (every pointer here is shorter)."""

_SEP = "\n\n"
_SLACK = 16  # room left for what the splitter's finishing pass may add (a closing fence, an escaped bracket)
_LISTED = 3  # steps named one by one in a pointer; more are counted
# A masked link, or an address (bare or in <>): what a cut must not split. Bounded, so the scan stays linear.
_LINK = re.compile(r"\[[^\[\]\n]{0,256}\]\(<?[^\s()<>]{1,2048}>?\)|<?\bhttps?://[^\s<>]{1,2048}>?")
_LINK_REACH = 2400  # longer than any match of _LINK


@dataclass(frozen=True, slots=True)
class Expansion:
    """The message's ``text`` (without a pointer), and the steps it does not show in full (``rest``, in order)."""

    text: str
    rest: tuple[int, ...] = ()


def expand(steps: Sequence[Step], *, limit: int = MESSAGE_LIMIT) -> Expansion:
    """``steps`` expanded in one message of at most ``limit`` characters; when some are cut, the text leaves
    :data:`POINTER_ROOM` for the pointer line."""
    whole = render.steps_text(list(steps), expanded=True)
    first, *more = split_text(whole, limit=limit) or ["…"]
    if not more:
        return Expansion(first)
    budget = limit - POINTER_ROOM
    texts = [render.step_text(step, expanded=True) for step in steps]
    cap = fair_share([len(t) for t in texts], budget - _SLACK - len(_SEP) * (len(texts) - 1))
    shown: list[str] = []
    rest: list[int] = []
    for step, text in zip(steps, texts, strict=True):
        if len(text) <= cap:
            shown.append(text)
            continue
        rest.append(step.index)
        shown.append(cut_text(text, cap) if cap >= MIN_LIMIT else render.step_text(step, expanded=False))
    first, *more = split_text(_SEP.join(shown), limit=budget) or ["…"]
    if more:  # only when the steps' title lines alone pass the budget: the rest is then every step
        rest = [step.index for step in steps]
    return Expansion(first, tuple(rest))


def fair_share(sizes: Sequence[int], room: int) -> int:
    """The largest length ``cap`` such that the ``sizes``, each cut to ``cap``, add up to at most ``room``."""
    left, count = room, len(sizes)
    for size in sorted(sizes):
        if size * count > left:
            return max(0, left // count)
        left, count = left - size, count - 1
    return max(sizes, default=0)


def cut_text(text: str, limit: int) -> str:
    """The start of ``text`` in at most ``limit`` characters, ended where the splitter ends its first piece (fences
    closed, markup balanced) but before a link or an address the cut would split."""
    rules = split.Rules(limit=limit, fences="line", min_limit=MIN_LIMIT)
    raw = split.split_pieces(text, rules)
    end = len(raw[0].body) if raw and not raw[0].opener else 0
    for link in _LINK.finditer(text, max(0, end - _LINK_REACH), min(len(text), end + _LINK_REACH)):
        if link.start() < end < link.end():
            end = link.start() if text[: link.start()].strip() else end
            break
    return (split_text(text[:end], limit=limit) or split_text(text, limit=limit) or ["…"])[0]


def _named(rest: Sequence[int]) -> str:
    if len(rest) == 1:
        return f"step {rest[0]}"
    if len(rest) > _LISTED:
        return f"{len(rest)} steps"
    return "steps " + ", ".join(map(str, rest[:-1])) + f" and {rest[-1]}"


def steps_pointer(rest: Sequence[int], *, page: int | None = None) -> str:
    """Where the rest is when the header has a Steps button (``page``: the first page to turn to, from 1)."""
    where = f" (page {page})" if page else ""
    return f"-# … the rest of {_named(rest)}: press 📜 **Steps** under the question{where}."


def attached_pointer(rest: Sequence[int], name: str) -> str:
    """Where the rest is when it is attached to the message as ``name``."""
    return f"-# 📎 … the rest of {_named(rest)} is in {name}, attached."


def missing_pointer(rest: Sequence[int], chars: int) -> str:
    """What is missing, and why, when the bot may not attach the file here."""
    return (
        f"-# ✂️ … the rest of {_named(rest)} ({chars:,} characters in all) did not fit. "
        "I'm missing the **Attach Files** permission to attach it."
    )


def filename(steps: Sequence[Step]) -> str:
    """The file with a message's steps in full: ``step-3.md``, ``steps-4-6.md``."""
    first, last = steps[0].index, steps[-1].index
    return f"step-{first}.md" if first == last else f"steps-{first}-{last}.md"


def first_page(record: ChainRecord, step: int) -> int | None:
    """The page (from 1) of the chain's private Steps view where ``step`` starts, if it has one."""
    return next((number for number, page in enumerate(chain_pages(record), start=1) if page.step == step), None)
