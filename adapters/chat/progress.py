"""Live progress while a chain runs: which step is being thought, for how long, and what of it is written yet.

The presenter tells a :class:`Ticker` when each step ends and hands it the step's
:class:`~core.events.StepDelta` pieces; the ticker shows a :class:`~adapters.chat.surface.Progress` every
``every`` seconds (the first one ``every`` seconds after the start, so a quick chain edits nothing), one at a
time, until it is stopped. Stopping lets a call under way finish (so no progress edit lands after the final one)
and waits at most ``grace`` seconds for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from adapters.chat.surface import Progress
from core.events import StepDelta
from core.text import one_line

__all__ = ["Ticker", "latest"]

log = logging.getLogger(__name__)

Show = Callable[[Progress], Awaitable[None]]


class Ticker:
    """``show`` is the surface's ``progress``; the platform errors in ``refusals`` skip a tick (logged)."""

    def __init__(
        self,
        *,
        every: float,
        show: Show,
        refusals: tuple[type[Exception], ...] = (),
        grace: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._every = every
        self._show = show
        self._refusals = refusals
        self._grace = grace
        self._clock = clock
        self._step = 1
        self._since = clock()
        self._text = ""
        self._shown = 0  # how much of _text the last call showed
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._every > 0 and self._task is None:
            self._since = self._clock()
            self._task = asyncio.create_task(self._run(), name="chain-progress")

    def step_done(self, index: int) -> None:
        """Step ``index`` is whole: the next one is being thought from now."""
        if index >= self._step:
            self._step, self._since, self._text, self._shown = index + 1, self._clock(), "", 0

    def delta(self, delta: StepDelta) -> None:
        """A piece of the step being written (pieces of a step already done are late: ignored)."""
        if delta.index > self._step:  # a step ended without its Step event reaching us yet: follow the model
            self._step, self._since, self._text, self._shown = delta.index, self._clock(), "", 0
        if delta.index == self._step:
            self._text += delta.text

    def now(self) -> Progress:
        return Progress(
            step=self._step, elapsed=self._clock() - self._since, text=self._text, added=self._text[self._shown :]
        )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        done, _ = await asyncio.wait([task], timeout=self._grace)
        if not done:
            task.cancel()
            await asyncio.wait([task])

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._every)
                return
            progress = self.now()
            try:
                await self._show(progress)
            except self._refusals as exc:
                log.info("a progress update was refused (%s); the next one may pass", type(exc).__name__)
            if progress.step == self._step:  # else the step ended meanwhile and its successor starts afresh
                self._shown = len(progress.text)


def latest(text: str, limit: int) -> str:
    """The end of ``text`` as one safe line of at most ``limit`` characters (what the model wrote last)."""
    line = one_line(text[-(limit * 4) :])
    return line if len(line) <= limit else "…" + line[-(limit - 1) :].lstrip()
