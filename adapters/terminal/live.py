"""Live progress in an interactive terminal while a chain runs: a spinner naming the step being thought and the
seconds so far (``⠋ Thinking step 3 · 12 s``), in the chat platforms' words (:func:`adapters.chat.wording.thinking`).

It is a rich :class:`~rich.live.Live` at the bottom of the output, redrawn by rich's own refresh thread; the
:class:`LiveProgress` is its renderable and says what is true at each drawing (so the seconds keep counting between
events). What the chain prints meanwhile (step lines) goes through the same console and lands above it. When a
strategy streams a step (:class:`~core.events.StepDelta`), each finished line of its text is printed above the
spinner as it comes, and the line still being written is shown just above the spinner until it is finished or the
step arrives; so at the end the screen holds the same text as a piped run. :meth:`LiveProgress.stop` takes the
display down without a trace.

Which step is being thought and since when is the chat side's :class:`~adapters.chat.progress.Ticker` bookkeeping;
the ticker itself is never started, rich's refresh thread does the ticking.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from adapters.chat import wording
from adapters.chat.progress import Ticker
from adapters.chat.surface import Progress
from core.events import StepDelta

__all__ = ["REFRESH_PER_SECOND", "LiveProgress", "thinking_line"]

REFRESH_PER_SECOND = 10  # the spinner's frames; the seconds shown are whole ones


def thinking_line(step: int, seconds: float) -> str:
    """``Thinking step 3 · 12 s``: the chat platforms' words, as the start of a line."""
    return wording.sentence(wording.thinking(step, seconds)).removesuffix(".")


async def _never_shown(_: Progress) -> None:  # the ticker is never started: rich's refresh thread polls it
    return None


class LiveProgress:
    """Started at once; :meth:`delta` and :meth:`step_done` as the chain's events come, then :meth:`stop`."""

    def __init__(self, console: Console, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._console = console
        self._ticker = Ticker(every=0, show=_never_shown, clock=clock)
        self._spinner = Spinner("dots", style="cyan")  # its text is set afresh at each drawing
        self._line = ""  # the line of the streamed step still being written: shown live, printed once finished
        self._live = Live(
            self,
            console=console,
            transient=True,
            refresh_per_second=REFRESH_PER_SECOND,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start(refresh=True)

    def delta(self, delta: StepDelta) -> None:
        """A piece of the step being written: its finished lines are printed, the rest shown above the spinner."""
        step = self._ticker.now().step
        if delta.index < step:  # a piece of a step already shown whole: late
            return
        if delta.index > step:  # a step ended without its Step event: what was written of it stays printed
            self._flush()
        self._ticker.delta(delta)
        *finished, self._line = (self._line + delta.text).split("\n")
        for line in finished:
            self._console.print(Text(line, style="dim"))
        self._live.refresh()

    def step_done(self, index: int) -> None:
        """Step ``index`` arrived whole (call before printing it): the next one is being thought from now."""
        self._flush()
        self._ticker.step_done(index)

    def stop(self) -> None:
        """The chain is over: what was written of a step stays printed, the spinner goes. Safe to call twice."""
        self._flush()
        self._live.stop()

    def _flush(self) -> None:
        if self._line:
            self._console.print(Text(self._line, style="dim"))
            self._line = ""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """What is true now, for rich's refresh thread or a print above the display."""
        line, now = self._line, self._ticker.now()
        if line:
            yield Text(line, style="dim")
        self._spinner.update(text=Text(thinking_line(now.step, now.elapsed)))
        yield self._spinner
