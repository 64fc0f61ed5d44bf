"""What one streamed message shows and what to send next: the plan's tasks, the text budget, the step in progress.
Pure: every method returns the chunks to append (see :mod:`adapters.slack.stream_render`) and counts them sent.

- The plan starts with step 1 in progress. The step being thought shows in progress (with the end of what the
  model has written of it, when the strategy streams); a whole step becomes a complete task with its title, time
  and the start of its text.
- Room: the tasks may use the message's text budget but :data:`ANSWER_ROOM`, kept for the answer and a closing
  note; a step with no room for its details shows its title only, and once no task fits (or :data:`MAX_TASKS`
  are shown) the remaining steps share one last task, "Steps N–M". The reaction that expands shows them all.
- The end: the answer as markdown when it fits the room left (else the caller posts it in the thread and the plan
  says so), or a note (failed, stopped, interrupted). A task still in progress then ends as "Writing the answer"
  (complete) or as it was (error).
"""

from __future__ import annotations

from adapters.slack.render import clip_escaped
from adapters.slack.split import measure
from adapters.slack.stream_render import (
    DETAILS,
    MAX_TASKS,
    TITLE_CHARS,
    Budget,
    Chunk,
    markdown,
    plan,
    step_done,
    step_thinking,
    task,
    task_id,
)
from core.events import Step
from core.text import one_line

__all__ = ["ANSWER_ROOM", "MORE", "StreamPlan"]

ANSWER_ROOM = 2000
MORE = "more-steps"
_TASK_ROOM = TITLE_CHARS + DETAILS  # the most one task takes


class StreamPlan:
    def __init__(self, *, budget: Budget | None = None) -> None:
        self._budget = budget or Budget()
        self._done = 0  # the last step shown whole
        self._thinking: int | None = None  # a step shown in progress, not yet whole
        self._more_from: int | None = None  # the first step that shares the last task

    @property
    def budget(self) -> Budget:
        return self._budget

    def start(self) -> list[Chunk]:
        """The chunks that start the message: the plan, step 1 in progress."""
        self._thinking = 1
        return self._sent([plan(), step_thinking(1)])

    def thinking(self, index: int, written: str, *, new: bool) -> list[Chunk]:
        """Step ``index`` is being thought (``written`` so far, ``new``: some of it not shown yet): the update to
        show, if any (none for a step already whole, or once steps share the last task)."""
        if index != self._done + 1 or self._more_from is not None:  # only the next step, so tasks keep their order
            return []
        if index == self._thinking and not new:
            return []
        if index != self._thinking and not self._task_fits():
            return []
        chunk = step_thinking(index, written)
        if self._budget.after([chunk]).used > self._tasks_room:
            chunk = step_thinking(index)
        self._thinking = index
        return self._sent([chunk])

    def step(self, step: Step) -> list[Chunk]:
        """Step ``step`` is whole."""
        self._done = max(self._done, step.index)
        if self._thinking == step.index:
            self._thinking = None
            return self._sent([self._fitted(step)])
        if self._more_from is None and self._task_fits():
            return self._sent([self._fitted(step)])
        self._more_from = first = self._more_from or step.index
        label = f"Steps {first}–{step.index}" if first < step.index else f"Step {first}"
        last = clip_escaped(one_line(step.title[:TITLE_CHARS]), TITLE_CHARS // 2) or "Untitled step"
        return self._sent([task(MORE, f"{label} · the last: {last}", "complete")])

    def answer_fits(self, text: str) -> bool:
        """Whether the answer ``text`` (markdown) fits the room left."""
        return self._budget.after(self._answer(text)).used <= self._budget.total

    def answer(self, text: str) -> list[Chunk] | None:
        """The chunks that end the message with ``text`` (markdown), or ``None`` when it does not fit."""
        if not self.answer_fits(text):
            return None
        chunks = self._answer(text)
        self._thinking = None
        return self._sent(chunks)

    def note(self, text: str, *, status: str = "error") -> list[Chunk]:
        """The chunks that end the message with a note of ours (cut to the room left); a task in progress ends
        with ``status``."""
        chunks = self._ending(status, None)
        self._thinking = None
        text = _cut(text, self._budget.total - self._budget.after(chunks).used)
        return self._sent(chunks + ([markdown(text)] if text else []))

    @property
    def _tasks_room(self) -> int:
        return self._budget.total - ANSWER_ROOM

    def _task_fits(self) -> bool:
        shown = len(self._budget.tasks)
        return shown < MAX_TASKS - 1 and self._budget.used + _TASK_ROOM <= self._tasks_room

    def _fitted(self, step: Step) -> Chunk:
        """The step's task with as much of its text as the room allows (none: its title only)."""
        chunk = step_done(step)
        over = self._budget.after([chunk]).used - self._tasks_room
        if over > 0:
            chunk = step_done(step, room=max(0, len(chunk.get("details", "")) - over))
        return chunk

    def _answer(self, text: str) -> list[Chunk]:
        return [*self._ending("complete", "Writing the answer"), markdown(text)]

    def _ending(self, status: str, title: str | None) -> list[Chunk]:
        """How the task still in progress ends, if there is one."""
        if self._thinking is None:
            return []
        return [task(task_id(self._thinking), title or f"Step {self._thinking}", status)]

    def _sent(self, chunks: list[Chunk]) -> list[Chunk]:
        self._budget = self._budget.after(chunks)
        return chunks


def _cut(text: str, room: int) -> str:
    """``text`` cut to at most ``room`` characters as the budget counts them."""
    text = text[: max(0, room)]
    while measure(text) > room:
        text = text[: room - (measure(text) - room)]
    return text
