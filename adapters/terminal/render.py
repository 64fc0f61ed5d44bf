"""Shows chain events in a terminal: rich text for people, JSON lines for scripts."""

from __future__ import annotations

import json
from typing import Literal, Protocol, TextIO

from rich.console import Console
from rich.markdown import Markdown
from rich.padding import Padding
from rich.text import Text

from core.codec import event_to_dict
from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step, StepDelta

__all__ = ["JsonRenderer", "Renderer", "RichRenderer", "StepsMode"]

StepsMode = Literal["collapsed", "full"]


class Renderer(Protocol):
    def show(self, event: Event) -> None: ...


class JsonRenderer:
    """One JSON object per event per line, flushed as it happens."""

    def __init__(self, *, out: TextIO) -> None:
        self._out = out

    def show(self, event: Event) -> None:
        self._out.write(json.dumps(event_to_dict(event), ensure_ascii=False) + "\n")
        self._out.flush()


class RichRenderer:
    """Each step as it arrives: number, title and time; the content too when ``steps`` is ``full``.

    Model text is printed as plain text (steps) or Markdown (the answer), never as rich markup, so a reply
    containing ``[bold]`` or escape-looking text shows as written.
    """

    def __init__(self, *, console: Console, errors: Console, steps: StepsMode = "collapsed") -> None:
        self._console = console
        self._errors = errors
        self._steps = steps

    def show(self, event: Event) -> None:
        if isinstance(event, ChainQueued):
            self._console.print(Text(f"Waiting for a free slot: position {event.position} in the queue…", style="dim"))
        elif isinstance(event, ChainStarted):
            self._started(event)
        elif isinstance(event, StepDelta):
            self._console.print(Text(event.text, style="dim"), end="")
        elif isinstance(event, Step):
            self._step(event)
        elif isinstance(event, FinalAnswer):
            self._answer(event)
        else:
            self._failed(event)

    def _started(self, event: ChainStarted) -> None:
        note = " · cached" if event.cached else ""
        self._console.print(Text(f"Thinking ({event.strategy} on {event.model}{note})…", style="dim"))

    def _step(self, event: Step) -> None:
        line = Text.assemble((f"Step {event.index}", "bold cyan"), " · ", (event.title, "bold"))
        line.append(f"  {event.elapsed:.2f} s", style="dim")
        self._console.print(line)
        if self._steps == "full":
            self._console.print(Padding(Text(event.content), (0, 0, 1, 4)))

    def _answer(self, event: FinalAnswer) -> None:
        self._console.rule("Answer", style="green")
        self._console.print(Markdown(event.text))
        summary = f"{event.steps} steps · {event.total_time:.2f} s · {event.usage.total_tokens:,} tokens"
        self._console.print(Text(summary + (" · cached" if event.cached else ""), style="dim"))

    def _failed(self, event: ChainFailed) -> None:
        kept = f" ({len(event.steps)} steps were completed)" if event.steps else ""
        wait = f" Try again in {event.retry_after:.0f} s." if event.retry_after else ""
        self._errors.print(Text(f"Error: {event.message}{kept}{wait}", style="bold red"))
