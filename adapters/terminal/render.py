"""Shows chain events in a terminal: rich text for people, JSON lines for scripts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Literal, Protocol, TextIO

from rich.console import Console
from rich.markdown import Markdown
from rich.padding import Padding
from rich.text import Text

from adapters.chat import wording
from adapters.terminal.live import LiveProgress
from core.codec import event_to_dict
from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step, StepDelta

__all__ = ["JsonRenderer", "Renderer", "RichRenderer", "StepsMode"]

StepsMode = Literal["collapsed", "full"]


class Renderer(Protocol):
    def show(self, event: Event) -> None: ...

    def close(self) -> None:
        """The chain is over or abandoned (an interrupt): leave the terminal as it was."""


class JsonRenderer:
    """One JSON object per event per line, flushed as it happens."""

    def __init__(self, *, out: TextIO) -> None:
        self._out = out

    def show(self, event: Event) -> None:
        self._out.write(json.dumps(event_to_dict(event), ensure_ascii=False) + "\n")
        self._out.flush()

    def close(self) -> None:
        return None


class RichRenderer:
    """Each step as it arrives: number, title and time; the content too when ``steps`` is ``full``.

    Model text is printed as Markdown (a step's content with ``steps="full"``, and the answer) or plain text (a
    step's title), never as rich markup, so a reply containing ``[bold]`` shows as written. A step's text streamed
    as it is written (:class:`~core.events.StepDelta`) is printed dim as it comes, on lines of its own.

    In an interactive terminal (``console.is_interactive``) a live chain also shows a spinner with the step being
    thought and the seconds so far (:class:`~adapters.terminal.live.LiveProgress`), gone once the chain ends; piped
    output has none of it.
    """

    def __init__(
        self,
        *,
        console: Console,
        errors: Console,
        steps: StepsMode = "collapsed",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._console = console
        self._errors = errors
        self._steps = steps
        self._clock = clock
        self._live: LiveProgress | None = None
        self._open_line = False  # piped: a streamed step's text ended mid-line

    def show(self, event: Event) -> None:
        if isinstance(event, StepDelta):
            self._delta(event)
            return
        self._end_line()
        if isinstance(event, ChainQueued):
            self._console.print(Text(f"Waiting for a free slot: position {event.position} in the queue…", style="dim"))
        elif isinstance(event, ChainStarted):
            self._started(event)
        elif isinstance(event, Step):
            self._step(event)
        elif isinstance(event, FinalAnswer):
            self.close()
            self._answer(event)
        else:
            self.close()
            self._failed(event)

    def close(self) -> None:
        live, self._live = self._live, None
        if live is not None:
            live.stop()

    def _started(self, event: ChainStarted) -> None:
        note = " · cached" if event.cached else ""
        self._console.print(Text(f"Thinking ({event.strategy} on {event.model}{note})…", style="dim"))
        if not event.cached and self._console.is_interactive and self._live is None:
            self._live = LiveProgress(self._console, clock=self._clock)

    def _delta(self, event: StepDelta) -> None:
        if self._live is not None:
            self._live.delta(event)
        elif event.text:
            self._console.print(Text(event.text, style="dim"), end="")
            self._open_line = not event.text.endswith("\n")

    def _end_line(self) -> None:
        if self._open_line:
            self._console.print()
            self._open_line = False

    def _step(self, event: Step) -> None:
        if self._live is not None:
            self._live.step_done(event.index)
        line = Text.assemble((f"Step {event.index}", "bold cyan"), " · ", (event.title, "bold"))
        line.append(f"  {event.elapsed:.2f} s", style="dim")
        self._console.print(line)
        if self._steps == "full":
            self._console.print(Padding(Markdown(event.content), (0, 0, 1, 4)))

    def _answer(self, event: FinalAnswer) -> None:
        self._console.rule("Answer", style="green")
        self._console.print(Markdown(event.text))
        summary = Text(wording.step_count(event.steps), style="dim")
        if event.capped:  # the model never said it was done: the answer may be short of what it would have said
            summary.append(f" · {wording.capped(event.steps)}", style="yellow")
        summary.append(f" · {event.total_time:.2f} s · {event.usage.total_tokens:,} tokens", style="dim")
        summary.append(" · cached" if event.cached else "", style="dim")
        self._console.print(summary)

    def _failed(self, event: ChainFailed) -> None:
        done = len(event.steps)
        kept = f" ({wording.step_count(done)} {'was' if done == 1 else 'were'} completed)" if done else ""
        self._errors.print(Text(f"Error: {event.message}{kept}", style="bold red"))  # it says when to try again
