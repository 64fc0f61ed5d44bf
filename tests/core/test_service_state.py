"""The service's use of shared state, against a real redis-server and the embedded store alike."""

import asyncio
import json

import pytest

from core.events import ChainFailed, ChainQueued, ChainStarted, FinalAnswer, Step
from core.request import ThinkRequest, Turn
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service


def chain_responder(steps: int = 2, delay: float = 0.0):
    from bench.fake_groq_process import chain_responder as responder

    return responder(steps, delay)


async def test_second_ask_is_replayed_from_the_cache(fake_groq: FakeGroq, backend):
    fake_groq.respond_with(chain_responder(steps=3))
    async with running_service(groq=fake_groq, redis_url=backend) as services:
        first = await collect(services.service, "How many Rs are in strawberry?")
        second = await collect(services.service, "  how many rs are in   STRAWBERRY? ")
        third = await collect(services.service, "How many Rs are in strawberry?", fresh=True)
    assert len(fake_groq.chat_requests) == 8  # two real chains of 4 calls; the second ask made none
    assert not any(getattr(e, "cached", False) for e in first)
    assert all(e.cached for e in second)
    assert [type(e) for e in second] == [ChainStarted, Step, Step, Step, FinalAnswer]
    assert [s.content for s in second if isinstance(s, Step)] == [s.content for s in first if isinstance(s, Step)]
    assert second[0].chain_id != first[0].chain_id
    assert {e.chain_id for e in second} == {second[0].chain_id}
    assert not any(getattr(e, "cached", False) for e in third)


async def test_follow_up_context_is_part_of_the_cache_key(fake_groq: FakeGroq, backend):
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=backend) as services:
        await collect(services.service, "Are you sure?")
        events = await collect(services.service, "Are you sure?", history=(Turn("2+2?", "4"),))
    assert not events[0].cached
    assert len(fake_groq.chat_requests) == 4


async def test_user_rate_limit_refuses_with_retry_after(fake_groq: FakeGroq, backend):
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=backend, user_rate="2/1h") as services:
        for n in range(2):
            assert isinstance((await collect(services.service, f"q{n}", user="u1"))[-1], FinalAnswer)
        refused = await collect(services.service, "q3", user="u1")
        other_user = await collect(services.service, "q4", user="u2")
    assert len(refused) == 1
    assert refused[0].kind == "rate_limited"
    assert refused[0].retry_after == pytest.approx(1800, abs=5)  # one interval of 2 per hour
    assert "try again in 30 min" in refused[0].message
    assert isinstance(other_user[-1], FinalAnswer)


async def test_place_rate_limit_covers_every_user_there(fake_groq: FakeGroq, backend):
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=backend, place_rate="1/1m") as services:
        await collect(services.service, "q1", user="a", place="guild1")
        refused = await collect(services.service, "q2", user="b", place="guild1")
        elsewhere = await collect(services.service, "q3", user="b", place="guild2")
    assert refused[0].kind == "rate_limited"
    assert "server or workspace" in refused[0].message
    assert isinstance(elsewhere[-1], FinalAnswer)


async def test_token_budget_refuses_once_spent(fake_groq: FakeGroq, backend):
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=backend, daily_token_budget=500) as services:
        answered = await collect(services.service, "q1", place="g")
        refused = await collect(services.service, "q2", place="g")
    assert answered[-1].usage.total_tokens >= 500
    assert refused[0].kind == "over_budget"
    assert "resets at 00:00 UTC" in refused[0].message
    assert 0 < refused[0].retry_after <= 24 * 3600


async def test_a_redelivered_request_is_answered_once(fake_groq: FakeGroq, backend):
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=backend) as services:
        first = await collect(services.service, "q", delivery_key="slack:T1:Ev1")
        again = await collect(services.service, "q", delivery_key="slack:T1:Ev1")
    assert isinstance(first[-1], FinalAnswer)
    assert [(e.kind, e.message) for e in again] == [("duplicate", "This request is already being answered.")]


async def test_a_request_stopped_midway_can_be_redelivered(fake_groq: FakeGroq, backend):
    fake_groq.reply(json.dumps({"title": "t", "content": "c", "next_action": "continue"})).hang()
    async with running_service(groq=fake_groq, redis_url=backend) as services:
        events = services.service.think(ThinkRequest(question="q", delivery_key="discord:interaction:9"))
        async for event in events:
            if isinstance(event, Step):
                break
        await events.aclose()  # e.g. the worker shut down mid-chain
        fake_groq.reset()
        fake_groq.respond_with(chain_responder(steps=1))
        again = await collect(services.service, "q", delivery_key="discord:interaction:9")
    assert isinstance(again[-1], FinalAnswer)


async def test_identical_questions_at_once_share_one_chain(fake_groq: FakeGroq, backend):
    fake_groq.respond_with(chain_responder(steps=3, delay=0.05))
    async with running_service(groq=fake_groq, redis_url=backend) as services:
        results = await asyncio.gather(*(collect(services.service, "Same question?", user=f"u{n}") for n in range(5)))
    assert len(fake_groq.chat_requests) == 4  # one chain: 3 steps + final answer
    for events in results:
        assert [type(e) for e in events] == [ChainStarted, Step, Step, Step, FinalAnswer]
        assert {e.chain_id for e in events} == {events[0].chain_id}
    assert len({events[0].chain_id for events in results}) == 5


async def test_message_links_find_steps_from_a_new_process(fake_groq: FakeGroq, redis_url):
    fake_groq.respond_with(chain_responder(steps=2))
    prefix = "testlinks"
    async with running_service(groq=fake_groq, redis_url=redis_url, redis_key_prefix=prefix) as services:
        events = await collect(services.service, "q", user="discord:1", place="discord:guild:2")
        chain_id = events[0].chain_id
        await services.service.link_message("discord:m2", chain_id=chain_id, steps=[2])
        await services.service.link_message("discord:header", chain_id=chain_id)
        # A second service on the same Redis stands in for the bot after a restart; it sees the same records.
        async with running_service(groq=fake_groq, redis_url=redis_url, redis_key_prefix=prefix) as restarted:
            record, step = await restarted.service.find_message("discord:m2")
            header = await restarted.service.find_message("discord:header")
            missing = await restarted.service.find_message("discord:unknown")
    assert (record.chain_id, record.asker, record.place, record.status) == (
        chain_id,
        "discord:1",
        "discord:guild:2",
        "answered",
    )
    assert step is not None
    assert step.index == 2
    assert step.content == events[2].content
    assert header[1] is None
    assert missing is None


async def test_cancel_stops_the_chain_and_keeps_its_steps(fake_groq: FakeGroq, backend):
    fake_groq.reply(json.dumps({"title": "first", "content": "c", "next_action": "continue"})).hang()
    async with running_service(groq=fake_groq, redis_url=backend) as services:
        seen = []
        async for event in services.service.think(ThinkRequest(question="q")):
            seen.append(event)
            if isinstance(event, Step):
                assert services.service.cancel(event.chain_id)
        assert not services.service.cancel(seen[0].chain_id)  # nothing left to stop
        record = await services.service.record(seen[0].chain_id)
    failed = seen[-1]
    assert isinstance(failed, ChainFailed)
    assert failed.kind == "cancelled"
    assert [s.title for s in failed.steps] == ["first"]
    assert record.status == "failed"
    assert len(fake_groq.chat_requests) == 2


async def test_over_the_concurrency_cap_a_chain_waits_in_line(fake_groq: FakeGroq, backend):
    fake_groq.respond_with(chain_responder(steps=1, delay=0.2))
    async with running_service(groq=fake_groq, redis_url=backend, max_concurrent_chains=1) as services:
        results = await asyncio.gather(collect(services.service, "one?"), collect(services.service, "two?"))
    queued = [events for events in results if any(isinstance(e, ChainQueued) for e in events)]
    assert len(queued) == 1
    second = queued[0]
    assert isinstance(second[0], ChainQueued)
    assert second[0].position == 1
    assert isinstance(second[1], ChainStarted)
    assert isinstance(second[-1], FinalAnswer)
