"""A chain handed from a gateway to the workers: what a worker needs to run it as the gateway's request would have.

It travels as one JSON object on the job stream (:mod:`core.state.jobs`); ``from_payload`` refuses anything that is
not one this version wrote, so a malformed entry is given up, never run half-read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from core.request import Turn
from core.state.jobs import JobQueue
from core.state.records import ChainRecord
from core.state.singleflight import HandOff

__all__ = ["JOB_VERSION", "ChainJob", "hand_off_to"]

JOB_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainJob:
    """``flight`` and ``token``: the single-flight lease the gateway took, whose stream the gateway reads;
    ``cache_key``: where the answer goes. The rest is the request as admitted."""

    chain_id: str
    flight: str
    token: str
    question: str
    strategy: str
    model: str
    asker: str
    place: str
    cache_key: str
    history: tuple[Turn, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        return {
            "v": JOB_VERSION,
            "chain_id": self.chain_id,
            "flight": self.flight,
            "token": self.token,
            "question": self.question,
            "strategy": self.strategy,
            "model": self.model,
            "asker": self.asker,
            "place": self.place,
            "cache_key": self.cache_key,
            "history": [[turn.question, turn.answer] for turn in self.history],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ChainJob:
        """The job, or ``ValueError`` naming the field that is wrong (never its value)."""
        if payload.get("v") != JOB_VERSION:
            raise ValueError("unknown job version")
        text = ("chain_id", "flight", "token", "question", "strategy", "model", "asker", "place", "cache_key")
        for name in text:
            if not isinstance(payload.get(name), str):
                raise ValueError(f"job field {name} is missing or not text")
        history = payload.get("history", [])
        if not isinstance(history, list) or not all(
            isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) for x in t) for t in history
        ):
            raise ValueError("job field history is not a list of [question, answer] pairs")
        return cls(
            **{name: payload[name] for name in text},
            history=tuple(Turn(question=q, answer=a) for q, a in history),
        )


def hand_off_to(
    jobs: JobQueue | None, *, record: ChainRecord, key: str, history: tuple[Turn, ...], deadline: float
) -> HandOff | None:
    """How a gateway has the workers run ``record``'s chain (flight and cache ``key``): the job, sent with the
    flight's token once the gateway leads; ``None`` without a job queue (the chain runs here)."""
    if jobs is None:
        return None
    job = ChainJob(
        chain_id=record.chain_id,
        flight=key,
        token="",
        question=record.question,
        strategy=record.strategy,
        model=record.model,
        asker=record.asker,
        place=record.place,
        cache_key=key,
        history=history,
    )

    async def send(token: str) -> str:
        return await jobs.enqueue(dataclasses.replace(job, token=token).to_payload())

    # Silence is a step being thought (the deadline bounds it), or a dead worker's job waiting to be taken over.
    return HandOff(send=send, patience=deadline + jobs.claim_after + 10.0)
