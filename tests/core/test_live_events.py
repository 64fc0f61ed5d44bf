"""Partial steps and the step cap as events: StepDelta and FinalAnswer.capped through JSON and old records; g1 says
when it stopped at its cap; metrics count nothing for a delta."""

from __future__ import annotations

import asyncio
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from core.codec import event_from_dict, event_to_dict
from core.events import FinalAnswer, Step, StepDelta
from core.llm.types import Usage
from core.metrics import Metrics
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq
from tests.streaming import PIECES, registered


@settings(max_examples=50)
@given(index=st.integers(min_value=1, max_value=10_000), text=st.text(max_size=200))
def test_a_step_delta_round_trips_through_json(index: int, text: str) -> None:
    delta = StepDelta(chain_id="c", index=index, text=text)
    assert event_from_dict(json.loads(json.dumps(event_to_dict(delta)))) == delta


def test_capped_round_trips_and_an_answer_written_before_it_reads_as_not_capped() -> None:
    capped = FinalAnswer(chain_id="c", text="t", total_time=1.0, usage=Usage(), steps=25, capped=True)
    assert event_from_dict(event_to_dict(capped)) == capped
    old = {"type": "final_answer", "chain_id": "c", "text": "t", "total_time": 1.0, "steps": 3, "cached": False,
           "usage": {"prompt_tokens": 1, "completion_tokens": 2}}  # fmt: skip
    read = event_from_dict(old)
    assert isinstance(read, FinalAnswer)
    assert not read.capped


def test_a_delta_counts_for_nothing_in_the_metrics() -> None:
    metrics = Metrics()
    before = metrics.exposition()
    metrics.observe(StepDelta(chain_id="c", index=1, text="partial"))
    assert metrics.exposition() == before


async def test_g1_says_when_it_stopped_at_the_step_cap(fake_groq: FakeGroq, make_service) -> None:
    step = json.dumps({"title": "More", "content": "c", "next_action": "continue"})
    fake_groq.respond_with(lambda body: step if "response_format" in body else "Forty-two.")
    events = await collect(await make_service(step_cap=4))
    final = events[-1]
    assert isinstance(final, FinalAnswer)
    assert (final.capped, final.steps) == (True, 4)


async def test_g1_that_finishes_before_the_cap_is_not_capped(fake_groq: FakeGroq, make_service) -> None:
    done = json.dumps({"title": "Done", "content": "c", "next_action": "final_answer"})
    fake_groq.reply(done).reply("Yes.")
    events = await collect(await make_service(step_cap=1))
    final = events[-1]
    assert isinstance(final, FinalAnswer)
    assert (final.capped, final.steps, [type(e) for e in events[1:-1]]) == (False, 1, [Step])


async def test_a_follower_of_a_streaming_chain_gets_its_deltas_and_a_replay_does_not(make_service) -> None:
    """Deltas are events like the others: a follower of the same question (single-flight) sees them live, in
    order; the cache keeps whole steps only, so a later replay shows none."""
    with registered():
        service = await make_service(strategy="streaming")
        leader, follower = await asyncio.gather(collect(service, "Stream?"), collect(service, "Stream?"))
        replay = await collect(service, "Stream?")
    for events in (leader, follower):
        deltas = [e.text for e in events if isinstance(e, StepDelta)]
        assert deltas == list(PIECES) * 2
        assert [type(e).__name__ for e in events][-2:] == ["Step", "FinalAnswer"]
    assert {e.chain_id for e in leader} != {e.chain_id for e in follower}  # each relabelled for its asker
    assert not any(isinstance(e, StepDelta) for e in replay)
    assert [e.cached for e in replay if isinstance(e, Step)] == [True, True]
