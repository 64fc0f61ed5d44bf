"""Chain events as Slack messages: text plus Block Kit blocks within Slack's limits. Pure: no I/O, no Slack imports.

Every piece of model or user text goes through :mod:`adapters.slack.mrkdwn` (escaped, Markdown converted); only
the ``<@user>`` of the asker, which we write ourselves, is a live mention. Limits, whatever the text: at most
3,000 characters per section, 12,000 of block text per message (Slack refuses about 13,000 with
``msg_blocks_too_long`` although each section may hold 3,000) and 50 blocks, counted in UTF-16 code units. The
sentences are the shared ones (:mod:`adapters.chat.wording`), with Slack's markup around them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from adapters.chat import wording
from adapters.chat.progress import latest
from adapters.chat.surface import Progress
from adapters.slack import tags
from adapters.slack.mrkdwn import escape, to_mrkdwn
from adapters.slack.split import measure, split_text
from core.events import ChainFailed, FinalAnswer, Step
from core.kinds import FailureKind
from core.text import one_line

__all__ = [
    "MAX_BLOCKS",
    "MESSAGE_TEXT",
    "SECTION_TEXT",
    "Block",
    "Rendered",
    "answer",
    "collapsed_steps",
    "expanded_steps",
    "failure",
    "note",
    "progress_line",
    "question_header",
    "refusal",
]

MAX_BLOCKS = 50
SECTION_TEXT = 3000
MESSAGE_TEXT = 12_000
TITLE_CHARS = 200  # escaped: 50 collapsed steps stay within MESSAGE_TEXT
NOTE_CHARS = 2000
FALLBACK_CHARS = 300
PARTIAL_CHARS = 300

Block = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """One message: ``text`` is the notification fallback, ``blocks`` what Slack shows."""

    text: str
    blocks: tuple[Block, ...]


def section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def step_line(step: Step) -> str:
    title = clip_escaped(one_line(step.title), TITLE_CHARS) or "Untitled step"
    return f"*Step {step.index}* · {title} · _{step.elapsed:.1f} s_"


def clip_escaped(text: str, limit: int) -> str:
    """``text`` escaped, cut to at most ``limit`` characters (with "…") without cutting an entity in two."""
    escaped = escape(text)
    if measure(escaped) <= limit:
        return escaped
    pieces = split_text(escaped, limit - 1)
    return pieces[0] + "…" if pieces else ""


def question_header(question: str, asker: str, *, expand: str, each: bool = True) -> Rendered:
    """The channel message ``/think`` posts; the chain goes in its thread (``each``: the steps have messages of
    their own, not in compact display)."""
    quoted = "\n".join(f">{line}" for line in escape(question).splitlines()) or ">"
    pieces = split_text(quoted, SECTION_TEXT - 64)
    quoted = pieces[0] + ("…" if len(pieces) > 1 else "")
    blocks = (
        section(f"<@{asker}> asked:\n{quoted}"),
        context(f"{wording.THINKING_BELOW} {wording.sentence(wording.expand_hint(f':{expand}:', each=each))}"),
    )
    return Rendered(text=f"Question: {escape(question[:FALLBACK_CHARS])}", blocks=blocks)


def collapsed_steps(chain_id: str, steps: Sequence[Step]) -> Rendered:
    """Several steps in one message, one line each (number, title, time)."""
    if not 1 <= len(steps) <= MAX_BLOCKS:
        raise ValueError(f"a message holds 1 to {MAX_BLOCKS} collapsed steps")
    blocks = tuple(section(step_line(s), tags.step_id(chain_id, s.index, 0)) for s in steps)
    return Rendered(text=_steps_text(steps), blocks=blocks)


def expanded_steps(chain_id: str, steps: Sequence[Step], *, origin_ts: str) -> list[Rendered]:
    """The steps in full. The first message replaces the one at ``origin_ts``; any more are its continuations."""
    pieces: list[tuple[Step, int, str]] = []
    for step in steps:
        pieces.append((step, 0, step_line(step)))
        body = to_mrkdwn(step.content) or "_(empty)_"
        pieces += [(step, part, text) for part, text in enumerate(split_text(body, SECTION_TEXT), start=1)]
    messages: list[Rendered] = []
    for number, run in enumerate(runs(pieces, lambda piece: measure(piece[2]))):
        blocks = tuple(
            section(
                text,
                tags.step_id(chain_id, step.index, part)
                if number == 0
                else tags.continuation_id(origin_ts, chain_id, step.index, part),
            )
            for step, part, text in run
        )
        shown = list({step.index: step for step, _, _ in run}.values())
        messages.append(Rendered(text=_steps_text(shown), blocks=blocks))
    return messages


def answer(event: FinalAnswer, *, expand: str, each: bool = True) -> list[Rendered]:
    """The final answer, converted to mrkdwn, with a footer; long answers take several messages. ``each``: the
    steps have messages of their own (not in compact display)."""
    pieces = split_text(to_mrkdwn(event.text) or "_(empty answer)_", SECTION_TEXT)
    cached = " · cached" if event.cached else ""
    capped = f" · {wording.capped(event.steps)}" if event.capped else ""
    footer = (
        f"{wording.step_count(event.steps)}{capped} · {event.total_time:.1f} s · {event.usage.total_tokens:,} tokens"
        f"{cached}"
    ) + (f" · {wording.expand_hint(f':{expand}:', each=each)}" if event.steps else "")  # nothing to expand
    blocks = [section("*Answer*", tags.answer_id(event.chain_id, 0))]
    blocks += [section(p, tags.answer_id(event.chain_id, i)) for i, p in enumerate(pieces, start=1)]
    blocks.append(context(footer))
    shown = split_text(pieces[0], FALLBACK_CHARS) if pieces else []  # none when the answer is only markup
    fallback = f"Answer: {shown[0] if shown else '…'}"  # mrkdwn too (notifications show it)
    return [Rendered(text=fallback, blocks=tuple(run)) for run in runs(blocks, block_text)]


def progress_line(progress: Progress, *, sign: str) -> Rendered:
    """The thread's live progress line (``sign``: an emoji name): the step being thought, its seconds, and the end
    of what the model wrote of it."""
    line = f":{sign}: {wording.sentence(wording.thinking(progress.step, progress.elapsed))[:-1]}…"
    partial = escape(latest(progress.text, PARTIAL_CHARS))
    blocks = (context(line), *((context(f":writing_hand: {partial}"),) if partial else ()))
    return Rendered(text=f"Thinking: step {progress.step}", blocks=blocks)


def failure(event: ChainFailed, *, kept: int) -> Rendered:
    """What a failed or stopped chain posts in its thread; ``kept``: the steps shown above it, which stay."""
    icon = ":octagonal_sign:" if event.kind == FailureKind.CANCELLED else ":warning:"
    return note(f"{icon} {clip_escaped(event.message, NOTE_CHARS)} {wording.kept(kept)}".rstrip())


def note(text: str) -> Rendered:
    """A message of one section, ``text`` already mrkdwn."""
    return Rendered(text=text, blocks=(section(text),))


def refusal(event: ChainFailed) -> str:
    """The ephemeral note for a request refused before it started (rate limit, budget, bad input). The core's
    message already says when to try again."""
    return f":hourglass: {escape(event.message)}" if event.retry_after else f":warning: {escape(event.message)}"


def block_text(block: Block) -> int:
    """How much text a block holds, as Slack counts it towards ``msg_blocks_too_long``."""
    texts = [block.get("text") or {}, *block.get("fields", ()), *block.get("elements", ())]
    return sum(measure(t["text"]) for t in texts if isinstance(t, dict) and isinstance(t.get("text"), str))


def runs(items: Sequence[T], size: Callable[[T], int]) -> list[list[T]]:
    """``items`` in order, grouped into messages of at most MAX_BLOCKS items and MESSAGE_TEXT of text."""
    groups: list[list[T]] = []
    total = 0
    for item in items:
        weight = size(item)
        if not groups or len(groups[-1]) >= MAX_BLOCKS or total + weight > MESSAGE_TEXT:
            groups.append([])
            total = 0
        groups[-1].append(item)
        total += weight
    return groups


def _steps_text(steps: Sequence[Step]) -> str:
    first, last = steps[0], steps[-1]
    if first.index == last.index:
        return f"Step {first.index}: {escape(one_line(first.title, FALLBACK_CHARS))}"
    return f"Steps {first.index}–{last.index}"
