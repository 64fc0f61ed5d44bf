"""A streamed message as its reader sees it: the tasks (in a plan, or one card each in a timeline) and the markdown
around them, built from the chunks ``chat.startStream``/``appendStream``/``stopStream`` carry.

Slack's rules the fake keeps (docs.slack.dev, ``chat.*Stream`` and the task card block): chunks are
``markdown_text`` (``text``), ``task_update`` (``id``, ``title``, ``status`` pending|in_progress|complete|error,
optional ``details`` and ``output``), ``plan_update`` (``title``) and ``blocks``; anything else is
``invalid_chunks``. A task update with a known ``id`` updates that task in place (the fields it carries replace
the old ones). In ``plan`` mode every task shows in one plan block where the first task arrived; in ``timeline``
mode each task is its own card where it first arrived. Limits: 12,000 characters of markdown per call, 256 of
``details`` and of ``output`` per task (Slack documents no limit for these; 256 is what SDKs that wrap these chunks
enforce), 50 blocks, and the message's text in all within the block text limit (``msg_blocks_too_long``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.slack.validation import BLOCKS_TEXT, MARKDOWN_TEXT, MAX_BLOCKS

__all__ = ["DETAILS_TEXT", "STATUSES", "ChunkError", "StreamedMessage", "Task"]

STATUSES = frozenset({"pending", "in_progress", "complete", "error"})
DETAILS_TEXT = 256
PLAN = "\x00plan"  # where the plan block sits among the markdown runs
_MARKS = {"pending": "○", "in_progress": "◐", "complete": "✓", "error": "✗"}


class ChunkError(Exception):
    """A Slack error code for chunks or content the fake refuses, with Slack's ``errors`` detail list."""

    def __init__(self, error: str, detail: str = "") -> None:
        super().__init__(error)
        self.error = error
        self.errors = [detail] if detail else []


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    title: str
    status: str
    details: str = ""
    output: str = ""


@dataclass(frozen=True, slots=True)
class StreamedMessage:
    """``items``: markdown runs, task ids (timeline) and the plan's place (plan), in the order they arrived.
    ``streaming`` is false once stopped; ``appends`` counts ``chat.appendStream`` calls."""

    channel: str
    ts: str
    thread_ts: str
    mode: str
    recipient: str | None = None
    title: str = ""
    task_map: dict[str, Task] = field(default_factory=dict)
    items: tuple[str, ...] = ()
    streaming: bool = True
    appends: int = 0
    end_blocks: tuple[dict[str, Any], ...] = ()

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every task in the order it first arrived."""
        return tuple(self.task_map.values())

    @property
    def markdown(self) -> str:
        """All the markdown streamed, in order."""
        return "".join(item for item in self.items if not _is_marker(item))

    @property
    def markdown_after_tasks(self) -> str:
        """The markdown that shows below the last task (all of it when there is no task)."""
        last = max((i for i, item in enumerate(self.items) if _is_marker(item)), default=-1)
        return "".join(item for item in self.items[last + 1 :] if not _is_marker(item))

    def view(self) -> list[str]:
        """What a reader sees, one line per task and per markdown line (for transcripts and failure messages)."""
        lines: list[str] = []
        for item in self.items:
            if item == PLAN:
                lines.append(f"[plan] {self.title}".rstrip())
                lines += [f"  {_task_line(t)}" for t in self.tasks]
            elif _is_marker(item):
                lines.append(_task_line(self.task_map[item[len(PLAN) + 1 :]]))
            else:
                lines += item.splitlines()
        return lines

    def with_chunks(self, chunks: list[dict[str, Any]]) -> StreamedMessage:
        """This message after ``chunks`` (already checked with :func:`check_chunks`); raises ChunkError when the
        result breaks a message limit."""
        tasks = dict(self.task_map)
        items = list(self.items)
        title = self.title
        for chunk in chunks:
            kind = chunk["type"]
            if kind == "markdown_text":
                _add_text(items, chunk["text"])
            elif kind == "plan_update":
                title = chunk["title"]
            elif kind == "task_update":
                _add_task(tasks, items, chunk, plan=self.mode == "plan")
        updated = dataclasses.replace(self, task_map=tasks, items=tuple(items), title=title)
        _check_size(updated)
        return updated

    def blocks(self) -> tuple[dict[str, Any], ...]:
        """The message's blocks as ``conversations.replies`` would list them."""
        out: list[dict[str, Any]] = []
        for item in self.items:
            if item == PLAN:
                cards = [_card(t) for t in self.tasks]
                out.append({"type": "plan", "title": self.title or "Plan", "tasks": cards})
            elif _is_marker(item):
                out.append(_card(self.task_map[item[len(PLAN) + 1 :]]))
            else:
                out.append({"type": "markdown", "text": item})
        return (*out, *self.end_blocks)


def check_chunks(raw: Any) -> list[dict[str, Any]]:
    """The chunks of a call, checked against Slack's shapes (``invalid_chunks`` naming the first bad one)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ChunkError("invalid_chunks", "chunks must be an array")
    for i, chunk in enumerate(raw):
        problem = _chunk_problem(chunk)
        if problem:
            raise ChunkError("invalid_chunks", f"{problem} [json-pointer:/chunks/{i}]")
    return raw


def _chunk_problem(chunk: Any) -> str:
    if not isinstance(chunk, dict):
        return "must be an object"
    kind = chunk.get("type")
    if kind == "markdown_text":
        return _text_problem(chunk.get("text"), MARKDOWN_TEXT, "text")
    if kind == "plan_update":
        return _text_problem(chunk.get("title"), MARKDOWN_TEXT, "title")
    if kind == "blocks":
        return "" if isinstance(chunk.get("blocks"), list) else "blocks must be an array"
    if kind != "task_update":
        return f"unsupported chunk type {kind!r}"
    for name in ("id", "title"):
        problem = _text_problem(chunk.get(name), MARKDOWN_TEXT, name)
        if problem:
            return problem
    if chunk.get("status") not in STATUSES:
        return f"status must be one of {', '.join(sorted(STATUSES))}"
    for name in ("details", "output"):
        if name in chunk and (not isinstance(chunk[name], str) or len(chunk[name]) > DETAILS_TEXT):
            return f"{name} must be a string of at most {DETAILS_TEXT} characters"
    return ""


def _text_problem(value: Any, limit: int, name: str) -> str:
    if not isinstance(value, str) or not value:
        return f"{name} must be a non-empty string"
    return f"{name} must be less than {limit + 1} characters" if len(value) > limit else ""


def _add_text(items: list[str], text: str) -> None:
    if items and not _is_marker(items[-1]):
        items[-1] += text
    else:
        items.append(text)


def _add_task(tasks: dict[str, Task], items: list[str], chunk: dict[str, Any], *, plan: bool) -> None:
    old = tasks.get(chunk["id"])
    if old is None:
        marker = PLAN if plan else f"{PLAN}:{chunk['id']}"
        if marker not in items:
            items.append(marker)
        old = Task(id=chunk["id"], title=chunk["title"], status=chunk["status"])
    tasks[chunk["id"]] = Task(
        id=old.id,
        title=chunk["title"],
        status=chunk["status"],
        details=chunk.get("details", old.details),
        output=chunk.get("output", old.output),
    )


def _check_size(message: StreamedMessage) -> None:
    if len(message.items) + len(message.end_blocks) > MAX_BLOCKS:
        raise ChunkError("msg_blocks_too_many")
    if message.mode == "plan" and len(message.task_map) > MAX_BLOCKS:
        raise ChunkError("msg_blocks_too_many")
    text = len(message.title) + len(message.markdown)
    text += sum(len(t.title) + len(t.details) + len(t.output) for t in message.tasks)
    if text > BLOCKS_TEXT:
        raise ChunkError("msg_blocks_too_long")


def _is_marker(item: str) -> bool:
    return item.startswith(PLAN)


def _task_line(task: Task) -> str:
    line = f"{_MARKS[task.status]} {task.title}"
    return line + (f" — {task.details}" if task.details else "") + (f" → {task.output}" if task.output else "")


def _card(task: Task) -> dict[str, Any]:
    card: dict[str, Any] = {"type": "task_card", "task_id": task.id, "title": task.title, "status": task.status}
    for name in ("details", "output"):
        text = getattr(task, name)
        if text:
            section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            card[name] = {"type": "rich_text", "elements": [section]}
    return card
