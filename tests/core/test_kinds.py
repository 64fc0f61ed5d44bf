"""Failure kinds are declared once: every error's kind is a member, and events keep their kind through JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.codec import CodecError, event_from_dict, event_to_dict
from core.errors import ThinkbotError
from core.events import ChainFailed, Step
from core.kinds import UNSEEN, FailureKind, failure_kind
from core.llm.types import Usage
from core.state.guard import StoreUnavailableError
from core.state.records import ChainRecord


def _subclasses(cls: type[ThinkbotError]) -> list[type[ThinkbotError]]:
    found = [cls]
    for sub in cls.__subclasses__():
        found += _subclasses(sub)
    return found


def test_every_error_kind_is_a_member() -> None:
    errors = _subclasses(ThinkbotError)
    assert {CodecError, StoreUnavailableError} <= set(errors)  # the two that live outside core.errors
    assert len(errors) >= 20
    for error in errors:
        assert isinstance(error.kind, FailureKind), error.__name__
    assert {e.kind for e in errors} >= UNSEEN


@pytest.mark.parametrize("kind", list(FailureKind))
def test_a_failure_keeps_its_kind_through_json(kind: FailureKind) -> None:
    step = Step(chain_id="c", index=1, title="t", content="x", elapsed=0.1, usage=Usage(prompt_tokens=1))
    event = ChainFailed(chain_id="c", kind=kind, message="m", steps=(step,), retry_after=2.0)
    body = event_to_dict(event)
    assert type(body["kind"]) is str
    raw = json.dumps(body)
    assert f'"kind": "{kind.value}"' in raw
    back = event_from_dict(json.loads(raw))
    assert back == event
    assert isinstance(back, ChainFailed)
    assert type(back.kind) is FailureKind


def test_an_event_written_as_plain_strings_reads_back_as_a_member() -> None:
    """What a process without the enum wrote to Redis (singleflight streams) still decodes, kind and all."""
    old = {"type": "chain_failed", "chain_id": "c", "kind": "rate_limited", "message": "m", "retry_after": 5.0}
    event = event_from_dict(old)
    assert isinstance(event, ChainFailed)
    assert event.kind is FailureKind.RATE_LIMITED
    assert event.kind == "rate_limited"


def test_a_kind_from_a_newer_version_reads_as_internal_and_keeps_its_message() -> None:
    event = event_from_dict({"type": "chain_failed", "chain_id": "c", "kind": "brand_new", "message": "Ask again."})
    assert isinstance(event, ChainFailed)
    assert (event.kind, event.message) == (FailureKind.INTERNAL, "Ask again.")
    assert failure_kind("over_budget") is FailureKind.OVER_BUDGET


def test_a_chain_record_written_before_the_enum_still_decodes() -> None:
    old = (
        '{"chain_id":"c","question":"q","asker":"a","place":"p","strategy":"g1","model":"m","status":"failed",'
        '"steps":[],"answer":null,"usage":{},"error":"Stopped.","created_at":1.0}'
    )
    record = ChainRecord.from_json(old)
    assert (record.status, record.error) == ("failed", "Stopped.")
    assert ChainRecord.from_json(record.to_json()) == record


def _readme_kinds() -> list[str]:
    """The kinds in the first column of the README's "Errors a user can see" table, in order."""
    lines = (Path(__file__).parents[2] / "README.md").read_text().splitlines()
    start = lines.index("## Errors a user can see")
    end = next((i for i, line in enumerate(lines[start + 1 :]) if line.startswith("## ")), len(lines))
    rows = [line for line in lines[start + 1 : start + 1 + end] if line.startswith("| `")]
    return [kind for row in rows for kind in re.findall(r"`([a-z_]+)`", row.split("|")[1])]


def test_the_readme_lists_every_kind_a_user_can_see_once() -> None:
    listed = _readme_kinds()
    assert len(listed) == len(set(listed))
    assert set(listed) == {k.value for k in FailureKind if k not in UNSEEN}
