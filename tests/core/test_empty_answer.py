"""An empty final answer is a failure (``empty_answer``): its steps are kept, nothing is cached."""

import json

import pytest

from core.events import ChainFailed, FinalAnswer
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service


def step(title: str, next_action: str = "continue") -> str:
    return json.dumps({"title": title, "content": "c", "next_action": next_action})


@pytest.mark.parametrize("empty", ["", "  \n\t ", "\u200b\u2060\ufeff", "\x00\u202e"])
async def test_an_empty_g1_answer_fails_and_is_not_cached(fake_groq: FakeGroq, backend, empty):
    fake_groq.reply(step("first")).reply(step("second", "final_answer")).reply(empty)
    fake_groq.reply(step("again", "final_answer")).reply("Now an answer.")
    async with running_service(groq=fake_groq, redis_url=backend) as services:
        failed = (await collect(services.service, "q?"))[-1]
        record = await services.service.record(failed.chain_id)
        retried = await collect(services.service, "q?")
    assert isinstance(failed, ChainFailed)
    assert failed.kind == "empty_answer"
    assert failed.message == "The model gave an empty final answer. Please ask again."
    assert [s.title for s in failed.steps] == ["first", "second"]
    assert record.status == "failed"
    assert record.answer is None
    assert isinstance(retried[-1], FinalAnswer)
    assert not retried[-1].cached
    assert retried[-1].text == "Now an answer."
    assert len(fake_groq.chat_requests) == 5


async def test_an_empty_berry_synthesis_fails_too(fake_groq: FakeGroq):
    fake_groq.reply("first answer").reply("refined").reply("\u200b")
    async with running_service(groq=fake_groq, berry_turns=2) as services:
        events = await collect(services.service, "q?", strategy="berry")
    assert events[-1].kind == "empty_answer"
    assert len(events[-1].steps) == 2
