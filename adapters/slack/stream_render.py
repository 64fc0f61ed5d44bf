"""A chain as one Slack streamed message: a plan with one task per step, then the answer as markdown. Pure: chunks
are the JSON objects ``chat.appendStream`` takes; no I/O, no Slack imports.

Limits kept here, whatever the text: a task's ``details`` at most :data:`DETAILS` characters (what SDKs wrapping
these chunks enforce), its title at most :data:`TITLE_CHARS`; at most :data:`MAX_TASKS` tasks; one markdown text
at most :data:`MARKDOWN_TEXT`; and the whole message within :data:`MESSAGE_TEXT` of text, like every Slack
message of ours (Slack refuses about 13,000 with ``msg_blocks_too_long``): :class:`Budget` counts it, in UTF-16
code units. Everything the user or the model wrote is escaped (``&``, ``<``, ``>``), so nothing in it notifies
anyone; a markdown link whose label shows another address becomes plain text
(:func:`adapters.chat.links.safe_markdown`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from adapters.chat import wording
from adapters.chat.links import safe_markdown
from adapters.slack.mrkdwn import escape
from adapters.slack.render import MESSAGE_TEXT, clip_escaped
from adapters.slack.split import measure
from core.events import FinalAnswer, Step
from core.text import one_line, safe_text

__all__ = [
    "DETAILS",
    "MARKDOWN_TEXT",
    "MAX_TASKS",
    "MESSAGE_TEXT",
    "PLAN_TITLE",
    "TITLE_CHARS",
    "Budget",
    "Chunk",
    "answer_markdown",
    "chunk_size",
    "markdown",
    "note",
    "plan",
    "step_done",
    "step_thinking",
    "task",
]

Chunk = dict[str, Any]
_QUOTE = re.compile(r"^&gt; ?", re.MULTILINE)

DETAILS = 256
TITLE_CHARS = 120
MAX_TASKS = 50
MARKDOWN_TEXT = 12_000
PLAN_TITLE = "Thinking step by step"


@dataclass(slots=True)
class Budget:
    """The text a streamed message holds so far, as Slack would count it: each task as it now stands (an update
    replaces the fields it carries and keeps the others: an update without details leaves the old ones shown), the
    plan's title, and all the markdown."""

    total: int = MESSAGE_TEXT
    tasks: dict[str, dict[str, int]] = field(default_factory=dict)  # task id -> field -> size
    title: int = 0
    text: int = 0

    @property
    def used(self) -> int:
        return sum(sum(fields.values()) for fields in self.tasks.values()) + self.title + self.text

    @property
    def left(self) -> int:
        return max(0, self.total - self.used)

    def after(self, chunks: list[Chunk]) -> Budget:
        """The message once ``chunks`` are sent."""
        tasks, title, text = dict(self.tasks), self.title, self.text
        for chunk in chunks:
            if chunk["type"] == "task_update":
                carried = {k: measure(chunk[k]) for k in _TASK_FIELDS if isinstance(chunk.get(k), str)}
                tasks[chunk["id"]] = {**tasks.get(chunk["id"], {}), **carried}
            elif chunk["type"] == "plan_update":
                title = chunk_size(chunk)
            else:
                text += chunk_size(chunk)
        return Budget(total=self.total, tasks=tasks, title=title, text=text)


def plan(title: str = PLAN_TITLE) -> Chunk:
    return {"type": "plan_update", "title": title}


def task(task_id: str, title: str, status: str, details: str = "") -> Chunk:
    """A task update; ``title`` and ``details`` are ours already (escaped, within their limits)."""
    chunk: Chunk = {"type": "task_update", "id": task_id, "title": title, "status": status}
    if details:
        chunk["details"] = details
    return chunk


def step_thinking(index: int, written: str = "") -> Chunk:
    """Step ``index`` while it is thought; ``written``: what the model has written of it so far (its end shows)."""
    tail = one_line(written[-(DETAILS * 4) :])
    details = clip_escaped(tail[-DETAILS:], DETAILS) if tail else ""
    return task(task_id(index), f"Step {index}", "in_progress", details)


def step_done(step: Step, *, room: int = DETAILS) -> Chunk:
    """Step ``step`` complete: its title and time, and the start of its text as details (at most ``room``)."""
    title = clip_escaped(one_line(step.title[: TITLE_CHARS * 8]), TITLE_CHARS - 24) or "Untitled step"
    room = min(room, DETAILS)
    details = clip_escaped(one_line(step.content[: DETAILS * 8]), room) if room >= 2 else ""
    return task(task_id(step.index), f"Step {step.index} · {title} · {step.elapsed:.1f} s", "complete", details)


def task_id(index: int) -> str:
    return f"step-{index}"


def markdown(text: str) -> Chunk:
    return {"type": "markdown_text", "text": text}


def answer_markdown(answer: FinalAnswer, *, expand: str) -> str:
    """The answer as safe markdown, with the footer the thread display shows under it. A ``>`` that starts a line
    stays a quote: without a ``<`` it cannot open a control sequence."""
    escaped = _QUOTE.sub("> ", escape(safe_text(answer.text)))
    body = safe_markdown(escaped).strip() or "_(empty answer)_"
    cached = " · cached" if answer.cached else ""
    footer = (
        f"{wording.step_count(answer.steps)} · {answer.total_time:.1f} s · {answer.usage.total_tokens:,} tokens{cached}"
    ) + (f" · {wording.expand_hint(f':{expand}:', each=False)}" if answer.steps else "")
    return f"{body}\n\n_{footer}_"


def note(text: str) -> str:
    """A line of ours (already escaped where it quotes anyone) set apart from what came before."""
    return f"\n\n{text}"


_TASK_FIELDS = ("title", "details", "output")


def chunk_size(chunk: Chunk) -> int:
    """The text a chunk adds to the message, as :class:`Budget` counts it."""
    return sum(measure(chunk[k]) for k in ("title", "details", "output", "text") if isinstance(chunk.get(k), str))
