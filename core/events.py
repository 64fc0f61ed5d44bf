"""Events a chain emits. Adapters render these and never need to know which strategy ran."""

from __future__ import annotations

from dataclasses import dataclass

from core.llm.types import Usage

__all__ = ["ChainFailed", "ChainStarted", "Event", "FinalAnswer", "Step"]


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
class FinalAnswer:
    chain_id: str
    text: str
    total_time: float
    usage: Usage
    steps: int
    cached: bool = False


@dataclass(frozen=True, slots=True)
class ChainFailed:
    """The chain stopped. ``message`` is safe to show a user; ``steps`` are those finished before."""

    chain_id: str
    kind: str
    message: str
    steps: tuple[Step, ...] = ()


Event = ChainStarted | Step | FinalAnswer | ChainFailed
