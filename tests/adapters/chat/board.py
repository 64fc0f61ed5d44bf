"""An in-memory chat for the presenter's tests: a surface that posts into a list, at a chosen speed, and a port
that plays scripted events and keeps the links the presenter makes. Messages are plain text; one holds ``limit``
characters; an overflow is a file (``holds_all``) or a cut with a note saying how many parts were left out."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field

from adapters.chat.surface import Part, Posted, Progress
from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step
from core.llm.types import Usage
from core.request import ThinkRequest

__all__ = ["Board", "Refused", "Script", "answer", "started", "step"]


class Refused(Exception):
    """The board's platform refused a post."""


def step(n: int, *, parts: int = 1) -> Step:
    """Step ``n``; a step of several ``parts`` takes that many messages (a long step shown in full)."""
    return Step(chain_id="c", index=n, title=f"Title {n}", content=str(parts), elapsed=0.1, usage=Usage())


def started() -> ChainStarted:
    return ChainStarted(chain_id="c", question="q", strategy="g1", model="m")


def answer(parts: int, *, steps: int = 0) -> FinalAnswer:
    text = "\n".join(f"answer part {n}" for n in range(parts))
    return FinalAnswer(chain_id="c", text=text, total_time=1.0, usage=Usage(), steps=steps)


@dataclass
class Script:
    """A port whose ``think`` plays ``events`` (a number is a pause of that many seconds; ``raises`` ends it with an
    error), and which keeps the links made: ``links[key]`` is the step numbers a message shows."""

    events: list[Event | float]
    raises: Exception | None = None
    links: dict[str, tuple[int, ...]] = field(default_factory=dict)
    threads: list[str] = field(default_factory=list)

    async def think(self, request: ThinkRequest) -> AsyncGenerator[Event, None]:
        for event in self.events:
            if isinstance(event, float | int):
                await asyncio.sleep(event)
            else:
                yield event
        if self.raises is not None:
            raise self.raises

    async def link_message(
        self, message_id: str, *, chain_id: str, steps: Sequence[int] = (), location: str = ""
    ) -> None:
        self.links[message_id] = tuple(steps)

    async def link_thread(self, thread_id: str, *, chain_id: str) -> None:
        self.threads.append(thread_id)


@dataclass
class Board:
    """``posted``: the messages, in order; ``files``: what overflowed (``holds_all``); ``told``: private notes."""

    limit: int = 60
    delay: float = 0.0
    holds_all: bool = True
    refuse_after: int | None = None
    posted: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    told: list[str] = field(default_factory=list)
    ends: list[str] = field(default_factory=list)
    progress_seen: list[Progress] = field(default_factory=list)
    refusals: tuple[type[Exception], ...] = (Refused,)

    @property
    def overflow_holds_all(self) -> bool:
        return self.holds_all

    @property
    def thread(self) -> str | None:
        return "thread"

    async def queued(self, position: int) -> None:
        self.told.append(f"queued {position}")

    async def refuse(self, failed: ChainFailed) -> None:
        self.told.append(f"refused: {failed.message}")

    async def open(self, started: ChainStarted) -> Posted | None:
        return Posted(key="head", location="here")

    async def started(self, started: ChainStarted) -> None:
        self.ends.append("started")

    def step_parts(self, step: Step) -> list[Part[str]]:
        parts = int(step.content)
        text = f"**{step.index}. {step.title}**"
        first = Part(message=text, steps=(step,), joinable=parts == 1, chars=len(text))
        return [first, *(Part(message=f"({step.index} cont. {n})", linked=False) for n in range(1, parts))]

    def answer_parts(self, answer: FinalAnswer) -> list[Part[str]]:
        return [Part(message=line, kind="answer") for line in answer.text.splitlines()]

    def failure_part(self, failed: ChainFailed, *, kept: int) -> Part[str]:
        return Part(message=f"stopped: {failed.message} ({kept} kept)", kind="note")

    def join(self, first: Part[str], second: Part[str]) -> Part[str] | None:
        text = first.message + "\n" + second.message
        if len(text) > self.limit:
            return None
        return Part(message=text, kind=first.kind, steps=first.steps + second.steps, joinable=True, chars=len(text))

    def overflow(self, parts: Sequence[Part[str]], *, limit: int) -> list[Part[str]]:
        if self.holds_all:
            self.files.append("\n".join(part.message for part in parts))
            return [Part(message=f"📎 {len(parts)} parts in a file", kind="note")]
        return [Part(message=f"{parts[0].message} ✂️ {len(parts) - 1} parts cut", kind=parts[0].kind)]

    async def progress(self, progress: Progress) -> None:
        self.progress_seen.append(progress)

    def turn(self) -> contextlib.AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()

    async def post(self, part: Part[str]) -> Posted | None:
        if self.refuse_after is not None and len(self.posted) >= self.refuse_after:
            raise Refused("no more")
        await asyncio.sleep(self.delay)
        self.posted.append(part.message)
        return Posted(key=f"m{len(self.posted)}", location="here")

    async def answered(self, answer: FinalAnswer) -> None:
        self.ends.append("answered")

    async def failed(self, failed: ChainFailed) -> None:
        self.ends.append("failed")

    async def gave_up(self, error: Exception) -> None:
        self.ends.append(f"gave up: {error}")

    async def interrupted(self) -> None:
        self.ends.append("interrupted")

    async def close(self) -> None:
        self.ends.append("closed")
