"""What every strategy receives, and the shape it must have."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Protocol

from core.chain_config import ChainConfig
from core.events import FinalAnswer, Step, StepDelta
from core.llm.types import LLMClient, Message
from core.request import Turn

__all__ = ["ChainContext", "Strategy", "history_messages"]


@dataclass(slots=True, kw_only=True)
class ChainContext:
    """One run of a chain: the question, its context and the tools to answer it."""

    chain_id: str
    question: str
    history: tuple[Turn, ...]
    llm: LLMClient
    config: ChainConfig
    resume: tuple[Step, ...] = ()
    """Steps an earlier run of this very chain already showed (on a worker that died mid-chain). A strategy that can
    go on from them does, numbering its steps after them (g1); the others start over, and the steps they repeat are
    not shown again (:meth:`core.service.ThinkService.run_job`)."""
    started: float = field(default_factory=time.monotonic)

    def elapsed(self) -> float:
        return time.monotonic() - self.started


class Strategy(Protocol):
    """An async generator of :class:`Step` events ending with one :class:`FinalAnswer`; a strategy that streams
    may send :class:`StepDelta` pieces of the step it is writing before that step.

    It raises :class:`core.errors.ThinkbotError` subclasses to fail; the service turns them into ``ChainFailed``.
    """

    name: str

    def run(self, ctx: ChainContext) -> AsyncGenerator[StepDelta | Step | FinalAnswer, None]: ...


def history_messages(history: tuple[Turn, ...]) -> list[Message]:
    """Earlier turns of a thread as user/assistant messages, oldest first."""
    messages: list[Message] = []
    for turn in history:
        messages += [Message("user", turn.question), Message("assistant", turn.answer)]
    return messages
