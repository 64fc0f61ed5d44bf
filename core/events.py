"""Events a chain emits. Adapters render these and never need to know which strategy ran."""

from __future__ import annotations

from dataclasses import dataclass

from core.kinds import FailureKind
from core.llm.types import Usage

__all__ = ["ChainFailed", "ChainQueued", "ChainStarted", "Event", "FinalAnswer", "Step", "StepDelta"]


@dataclass(frozen=True, slots=True)
class ChainQueued:
    """The process is at its concurrency cap: the chain waits, ``position`` 1 being next in line."""

    chain_id: str
    position: int


@dataclass(frozen=True, slots=True)
class ChainStarted:
    chain_id: str
    question: str
    strategy: str
    model: str
    cached: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """One visible reasoning step. ``index`` counts from 1; ``elapsed`` is this step's thinking time (s)."""

    chain_id: str
    index: int
    title: str
    content: str
    elapsed: float
    usage: Usage
    cached: bool = False


@dataclass(frozen=True, slots=True)
class StepDelta:
    """A piece of step ``index``'s text while the model is still writing it: ``text`` follows the pieces before.

    Only for showing progress: the :class:`Step` that follows carries the step whole and stands for all its deltas
    (records, the cache and metrics keep only steps). A strategy that streams sends coarse pieces (a sentence, or
    what came in the last ~100 ms), never one per token: every delta is an event every follower of the chain reads.
    """

    chain_id: str
    index: int
    text: str


@dataclass(frozen=True, slots=True)
class FinalAnswer:
    """``capped``: the strategy stopped at its step cap (``steps`` of them) before the model said it was done."""

    chain_id: str
    text: str
    total_time: float
    usage: Usage
    steps: int
    cached: bool = False
    capped: bool = False


@dataclass(frozen=True, slots=True)
class ChainFailed:
    """The chain stopped, or never started. ``message`` is safe to show a user; ``steps`` are those finished.

    ``kind`` says why (:class:`~core.kinds.FailureKind`, and the README's errors table): e.g. ``input``,
    ``rate_limited`` and ``over_budget`` (with ``retry_after`` seconds), ``duplicate`` (a redelivered request: show
    nothing), ``cancelled``, ``deadline``, ``llm_*``.
    """

    chain_id: str
    kind: FailureKind
    message: str
    steps: tuple[Step, ...] = ()
    retry_after: float | None = None


Event = ChainQueued | ChainStarted | StepDelta | Step | FinalAnswer | ChainFailed
