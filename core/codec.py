"""Events to and from plain JSON-able dicts (terminal ``--json`` output, Redis records and streams)."""

from __future__ import annotations

import dataclasses
from typing import Any

from core.errors import ThinkbotError
from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step, StepDelta
from core.kinds import FailureKind, failure_kind
from core.llm.types import Usage

__all__ = ["CodecError", "event_from_dict", "event_to_dict"]

_TYPES: dict[str, type[Any]] = {
    "chain_queued": ChainQueued,
    "chain_started": ChainStarted,
    "step_delta": StepDelta,
    "step": Step,
    "final_answer": FinalAnswer,
    "chain_failed": ChainFailed,
}
_NAMES = {cls: name for name, cls in _TYPES.items()}
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _TYPES.values()}
_USAGE_FIELDS = tuple(f.name for f in dataclasses.fields(Usage))


class CodecError(ThinkbotError):
    kind = FailureKind.CODEC


def event_to_dict(event: Event) -> dict[str, Any]:
    """``{"type": "step", "chain_id": ..., "usage": {...}, ...}``; nested steps and usage become dicts."""
    body: dict[str, Any] = {name: getattr(event, name) for name in _FIELDS[type(event)]}
    if "usage" in body:
        body["usage"] = {name: getattr(body["usage"], name) for name in _USAGE_FIELDS}
    if isinstance(event, ChainFailed):
        body["kind"] = str(event.kind)
        body["steps"] = [event_to_dict(step) for step in body["steps"]]
    body["type"] = _NAMES[type(event)]
    return body


def event_from_dict(data: dict[str, Any]) -> Event:
    """Inverse of :func:`event_to_dict`; raises :class:`CodecError` on anything it does not recognise.

    A failure's ``kind`` comes back as a :class:`~core.kinds.FailureKind` (one this version does not know, as
    ``internal``: see :func:`~core.kinds.failure_kind`)."""
    try:
        fields = dict(data)
        cls = _TYPES[fields.pop("type")]
        if "usage" in fields:
            fields["usage"] = Usage(**fields["usage"])
        if cls is ChainFailed:
            fields["kind"] = failure_kind(str(fields["kind"]))
            fields["steps"] = tuple(_step(s) for s in fields.get("steps", ()))
        event: Event = cls(**fields)
    except (KeyError, TypeError, ValueError) as exc:
        raise CodecError(f"not an event record: {exc}") from None
    return event


def _step(data: dict[str, Any]) -> Step:
    fields = dict(data)
    fields.pop("type", None)
    fields["usage"] = Usage(**fields["usage"])
    return Step(**fields)
