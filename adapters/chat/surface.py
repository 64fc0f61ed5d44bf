"""The small surface a chat platform offers the :class:`~adapters.chat.presenter.Presenter`: one per chain shown.

The presenter decides what goes out and when (steps grouped into messages by content, :mod:`adapters.chat.grouping`;
the thread cap, folding, links, live progress, the order of it all); the surface renders it in the platform's markup
and sends it, and owns whatever only that platform has (a header edited in place, reactions offered, a file for what
does not fit, a progress sign).

A chain's life on a surface, in order: :meth:`~ChainSurface.queued` (any number of times) or
:meth:`~ChainSurface.refuse`; else :meth:`~ChainSurface.open`, :meth:`~ChainSurface.started`, then
:meth:`~ChainSurface.post` of step, answer and note parts in their turns while :meth:`~ChainSurface.progress` ticks
(never after the chain ended), then :meth:`~ChainSurface.answered` or :meth:`~ChainSurface.failed`; and always
:meth:`~ChainSurface.close`.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from core.events import ChainFailed, ChainStarted, FinalAnswer, Step

__all__ = ["ChainSurface", "Kind", "Part", "Posted", "Progress"]

M = TypeVar("M")
Kind = Literal["step", "answer", "note"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Part(Generic[M]):
    """One message's worth, rendered (``message``). ``steps``: the steps it shows, to link it to them (none: a
    message that stands for the whole chain). ``linked``: link it at all (not the later parts of one long step).
    ``joinable``: it may share a message with joinable neighbours. ``kind``: only steps count against the steps'
    share of the thread cap. ``chars``: how much text it shows, as the platform counts it (what the grouping's
    character budget counts)."""

    message: M
    kind: Kind = "step"
    steps: tuple[Step, ...] = ()
    linked: bool = True
    joinable: bool = False
    chars: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Posted:
    """A message the surface posted: ``key`` is how the core knows it (``discord:<id>``, ``slack:<channel>:<ts>``),
    ``location`` the platform's own id of where it is (for edits later). ``counted``: it is a new message of the
    thread, counted against the chain's thread cap (not a part appended to a message already there)."""

    key: str
    location: str
    counted: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    """What the chain is doing right now: thinking step ``step`` for ``elapsed`` seconds so far. ``text``: what the
    model has written of that step yet (from :class:`~core.events.StepDelta` events; empty when the strategy does
    not stream); ``added``: the end of ``text`` that is new since the previous call (for a surface that appends)."""

    step: int
    elapsed: float
    text: str = ""
    added: str = ""


class ChainSurface(Protocol[M]):
    refusals: tuple[type[Exception], ...]
    """The platform's errors for a request it refused; the presenter gives up on the chain on any of them."""
    overflow_holds_all: bool
    """Whether :meth:`overflow` loses nothing (a file): then folded steps and the answer share it. When it cuts
    (packing into fewer messages), folded steps leave the last message to the answer or the failure note."""

    @property
    def thread(self) -> str | None:
        """The thread key a follow-up there is asked under (``None``: no thread to follow up in)."""
        ...

    # Before the chain starts.
    async def queued(self, position: int) -> None: ...

    async def refuse(self, failed: ChainFailed) -> None:
        """Tell the asker why nothing will happen (a duplicate delivery: show nothing)."""
        ...

    # The chain's head: the header (or the asking message) and where its parts go.
    async def open(self, started: ChainStarted) -> Posted | None:
        """Show the head and make ready to post parts; returns the head to link to the whole chain, if linkable."""
        ...

    async def started(self, started: ChainStarted) -> None:
        """The head is linked: offer what acts on it (a stop reaction, a progress sign)."""
        ...

    async def progress(self, progress: Progress) -> None:
        """Show which step is being thought and for how long (an edited header or line, a status). Called every
        ``Layout.progress_every`` seconds (:mod:`adapters.chat.layout`) from :meth:`started` until the chain ends,
        never twice at once and never after :meth:`answered` or :meth:`failed`. It may skip a call (its channel is
        busy, its edit budget spent): the next one brings it up to date. Edits keep to the channel's order
        (``ChannelPacer.gate``)."""
        ...

    # Parts, rendered and posted.
    def step_parts(self, step: Step) -> list[Part[M]]: ...

    def answer_parts(self, answer: FinalAnswer) -> list[Part[M]]: ...

    def failure_part(self, failed: ChainFailed, *, kept: int) -> Part[M]: ...

    def join(self, first: Part[M], second: Part[M]) -> Part[M] | None:
        """Both in one message, or ``None`` when they do not fit together."""
        ...

    def overflow(self, parts: Sequence[Part[M]], *, limit: int) -> list[Part[M]]:
        """``parts`` in one message: what does not fit goes the platform's way, with a note (``limit``: the cap)."""
        ...

    def turn(self) -> AbstractAsyncContextManager[None]:
        """The channel's next post slot, at its pace."""
        ...

    async def post(self, part: Part[M]) -> Posted | None:
        """Post ``part`` (in its turn); returns it if it can be linked (not an ephemeral message)."""
        ...

    # The end.
    async def answered(self, answer: FinalAnswer) -> None: ...

    async def failed(self, failed: ChainFailed) -> None: ...

    async def gave_up(self, error: Exception) -> None:
        """The platform refused a request (one of :attr:`refusals`); the chain is not shown further."""
        ...

    async def interrupted(self) -> None:
        """The process stops mid-chain: a last word in the thread, briefly."""
        ...

    async def close(self) -> None:
        """Whatever happened: take back what is only shown while the chain runs."""
        ...
