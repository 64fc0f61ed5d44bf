import asyncio
import json

import pytest

from core.events import ChainFailed, ChainStarted, FinalAnswer, Step
from core.request import ThinkRequest
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service


def step(title: str, next_action: str = "continue") -> str:
    return json.dumps({"title": title, "content": "c", "next_action": next_action})


def other_tasks() -> set[asyncio.Task[object]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


@pytest.mark.parametrize(
    ("question", "strategy", "fragment"),
    [
        ("   \n", None, "empty"),
        ("x" * 4001, None, "4,001 characters"),
        ("fine question", "tree-of-thought", "Unknown strategy 'tree-of-thought'"),
    ],
)
async def test_bad_input_fails_before_any_llm_call(fake_groq: FakeGroq, make_service, question, strategy, fragment):
    events = await collect(await make_service(), question=question, strategy=strategy)
    assert len(events) == 1
    assert isinstance(events[0], ChainFailed)
    assert events[0].kind == "input"
    assert fragment in events[0].message
    assert fake_groq.chat_requests == []


async def test_question_is_cleaned_before_use(fake_groq: FakeGroq, make_service):
    fake_groq.reply(step("s", "final_answer")).reply("ok")
    events = await collect(await make_service(), question="  why\x00 is the sky blue?\x1b  ")
    assert isinstance(events[0], ChainStarted)
    assert events[0].question == "why is the sky blue?"
    assert fake_groq.chat_requests[0].messages[1]["content"] == "why is the sky blue?"


async def test_model_can_be_chosen_per_request(fake_groq: FakeGroq, make_service):
    fake_groq.reply(step("s", "final_answer")).reply("ok")
    events = await collect(await make_service(), model="moonshotai/kimi-k2-instruct-0905")
    assert events[0].model == "moonshotai/kimi-k2-instruct-0905"
    assert {r.model for r in fake_groq.chat_requests} == {"moonshotai/kimi-k2-instruct-0905"}


async def test_deadline_stops_a_hung_chain_and_keeps_steps(fake_groq: FakeGroq, make_service):
    fake_groq.reply(step("first")).hang()
    events = await collect(await make_service(deadline=1.5))
    failed = events[-1]
    assert isinstance(failed, ChainFailed)
    assert failed.kind == "deadline"
    assert "1.5 s time limit" in failed.message
    assert [s.title for s in failed.steps] == ["first"]
    assert other_tasks() == set()


async def test_cancelling_the_caller_cancels_the_inflight_request(fake_groq: FakeGroq, make_service):
    fake_groq.reply(step("first")).hang()
    seen: list[object] = []

    async def consume() -> None:
        async for event in (await make_service()).think(ThinkRequest(question="q")):
            seen.append(event)

    task = asyncio.create_task(consume())
    async with asyncio.timeout(5):
        # the consumer has step 1 and the (hanging) request for step 2 has arrived
        while len(fake_groq.chat_requests) < 2 or len(seen) < 2:  # noqa: ASYNC110 - the fake is in another thread
            await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [type(e) for e in seen] == [ChainStarted, Step]
    assert other_tasks() == set()
    await asyncio.sleep(0.2)
    assert len(fake_groq.chat_requests) == 2  # nothing retried or continued behind our back


async def test_closing_the_iterator_early_leaves_no_task(fake_groq: FakeGroq, make_service):
    fake_groq.reply(step("first")).hang()
    events = (await make_service()).think(ThinkRequest(question="q"))
    async for event in events:
        if isinstance(event, Step):
            break
    await events.aclose()
    assert other_tasks() == set()


async def test_slow_consumer_does_not_eat_into_the_deadline(fake_groq: FakeGroq, make_service):
    fake_groq.reply(step("a")).reply(step("b", "final_answer")).reply("done")
    kinds = []
    async for event in (await make_service(deadline=2.0)).think(ThinkRequest(question="q")):
        kinds.append(type(event))
        await asyncio.sleep(0.3)  # e.g. an adapter pacing its messages
    assert kinds == [ChainStarted, Step, Step, FinalAnswer]


@pytest.mark.parametrize(
    ("status", "kind", "fragment"),
    [
        (404, "model_not_found", "THINKBOT_MODEL"),
        (413, "request_too_large", "too long"),
        (400, "llm_bad_request", ""),
    ],
)
async def test_llm_errors_become_clear_failures(fake_groq: FakeGroq, make_service, status, kind, fragment):
    fake_groq.reply(step("first")).error(status)
    events = await collect(await make_service())
    failed = events[-1]
    assert isinstance(failed, ChainFailed)
    assert failed.kind == kind
    assert fragment in failed.message
    assert [s.title for s in failed.steps] == ["first"]


async def test_wrong_key_fails_naming_the_setting_never_the_key(fake_groq: FakeGroq):
    async with running_service(groq=fake_groq, groq_api_key="gsk_wrong_secret_value", llm_max_retries=0) as services:
        events = await collect(services.service)
    failed = events[-1]
    assert isinstance(failed, ChainFailed)
    assert failed.kind == "llm_auth"
    assert "GROQ_API_KEY" in failed.message
    assert "gsk_wrong_secret_value" not in repr(events)


async def test_rate_limit_and_server_errors_are_retried_then_answered(fake_groq: FakeGroq, make_service):
    fake_groq.error(429, retry_after=0.2).reply(step("s", "final_answer")).error(503).reply("ok")
    events = await collect(await make_service())
    assert isinstance(events[-1], FinalAnswer)
    assert len(fake_groq.chat_requests) == 4
