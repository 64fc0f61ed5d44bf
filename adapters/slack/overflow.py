"""Messages that must fit in fewer messages than they were rendered in (the thread cap): the continuation.

The blocks are packed anew into as few messages as Slack's limits allow (50 blocks, 12,000 characters of block
text each). When that is still too many, the text that does not fit is cut from the end and a closing note says
how much and why; trailing context blocks (an answer's footer) stay on the last message.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.chat.caps import cut_note
from adapters.slack.render import MAX_BLOCKS, MESSAGE_TEXT, Block, Rendered, block_text, context, runs

__all__ = ["fit"]


def fit(messages: Sequence[Rendered], slots: int, *, subject: str, limit: int) -> list[Rendered]:
    """``messages`` in at most ``slots`` messages (``slots`` >= 1); ``subject`` names what a cut leaves out
    ("The rest of the answer") and ``limit`` is the thread cap the note quotes."""
    if len(messages) <= slots or not messages:
        return list(messages)
    fallback = messages[0].text
    blocks = [block for message in messages for block in message.blocks]
    tail = _trailing_context(blocks)
    body = blocks[: len(blocks) - len(tail)]
    packed = runs(body, block_text)
    if len(packed) <= slots:
        if _fits([*packed[-1], *tail]):
            packed[-1] = [*packed[-1], *tail]
        elif len(packed) < slots:
            packed.append(tail)
        else:
            packed = _cut(packed, slots, tail, subject=subject, limit=limit)
    else:
        packed = _cut(packed, slots, tail, subject=subject, limit=limit)
    return [Rendered(text=fallback, blocks=tuple(run)) for run in packed if run]


def _cut(packed: list[list[Block]], slots: int, tail: list[Block], *, subject: str, limit: int) -> list[list[Block]]:
    kept = [list(run) for run in packed[:slots]]
    cut = [block for run in packed[slots:] for block in run]
    last = kept[-1]
    widest = context(cut_note(subject, sum(block_text(b) for b in [*cut, *last]), limit=limit))
    while last and not _fits([*last, *tail, widest]):
        cut.insert(0, last.pop())
    note = context(cut_note(subject, sum(block_text(b) for b in cut), limit=limit))
    kept[-1] = [*last, *tail, note]
    return kept


def _fits(blocks: list[Block]) -> bool:
    return len(blocks) <= MAX_BLOCKS and sum(block_text(b) for b in blocks) <= MESSAGE_TEXT


def _trailing_context(blocks: list[Block]) -> list[Block]:
    tail: list[Block] = []
    for block in reversed(blocks):
        if block.get("type") != "context":
            break
        tail.insert(0, block)
    return tail
