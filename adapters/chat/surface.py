"""The small surface a chat platform offers the :class:`~adapters.chat.presenter.Presenter`: one per chain shown.

The presenter decides what goes out and when (grouping steps under the channel's pace, the thread cap, folding,
links, the order of it all); the surface renders it in the platform's markup and sends it, and owns whatever only
that platform has (a header edited in place, reactions offered, a file for what does not fit, a progress sign).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from core.events import ChainFailed, ChainStarted, FinalAnswer, Step

__all__ = ["ChainSurface", "Kind", "Part", "Posted"]

M = TypeVar("M")
Kind = Literal["step", "answer", "note"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Part(Generic[M]):
    """One message's worth, rendered (``message``). ``steps``: the steps it shows, to link it to them (none: a
    message that stands for the whole chain). ``linked``: link it at all (not the later parts of one long step).
    ``joinable``: it may share a message with joinable neighbours. ``kind``: only steps count against the steps'
    share of the thread cap."""

    message: M
    kind: Kind = "step"
    steps: tuple[Step, ...] = ()
    linked: bool = True
    joinable: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Posted:
    """A message the surface posted: ``key`` is how the core knows it (``discord:<id>``, ``slack:<channel>:<ts>``),
    ``location`` the platform's own id of where it is (for edits later)."""

    key: str
    location: str


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
