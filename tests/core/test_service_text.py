"""Untrusted text through the whole service: what a model or an asker sends cannot break a writer.

A lone surrogate is a legal JSON escape ("\\ud800") that no UTF-8 writer accepts; before core.text, one in a step
or the answer killed the chain after its steps (the cache, single-flight and record writes raised
UnicodeEncodeError), with a real redis-server and with the embedded store alike.
"""

import asyncio
import json
import logging

import pytest

from core.events import ChainStarted, FinalAnswer, Step
from core.request import ThinkRequest, Turn
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service

# As the model's JSON spells them: escapes that decode to a lone surrogate, NUL, an RTL override, a zero-width space.
HOSTILE_STEP = (
    r'{"title": "Spell\ud800 it\u0000 \u202eout\u200b", "content": "s\udfff-t\u0000-r\r\ny", "next_action": "%s"}'
)
HOSTILE_ANSWER = "There are \ud800 3\x00 Rs \U0010ffff."  # real code points, sent as JSON escapes by the fake


def script_hostile_chain(fake: FakeGroq) -> None:
    fake.reply(HOSTILE_STEP % "continue").reply(HOSTILE_STEP % "final_answer").reply(HOSTILE_ANSWER)


def _no_unhandled_task_errors(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_hostile_model_text_is_answered_cached_and_recorded(fake_groq: FakeGroq, backend, caplog):
    script_hostile_chain(fake_groq)
    async with running_service(groq=fake_groq, redis_url=backend) as services:
        first = await collect(services.service, "How many Rs?")
        again = await collect(services.service, "How many Rs?")
        record = await services.service.record(first[0].chain_id)
    assert [type(e) for e in first] == [ChainStarted, Step, Step, FinalAnswer]
    step, answer = first[1], first[-1]
    assert step.title == "Spell\ufffd it out"
    assert step.content == "s\ufffd-t-r\ny"
    assert answer.text == "There are \ufffd 3 Rs \ufffd."
    assert [type(e) for e in again] == [ChainStarted, Step, Step, FinalAnswer]
    assert all(e.cached for e in again)
    assert again[-1].text == answer.text
    assert record.status == "answered"
    assert record.answer == answer.text
    assert [s.title for s in record.steps] == [step.title] * 2
    assert len(fake_groq.chat_requests) == 3
    _no_unhandled_task_errors(caplog)


async def test_identical_hostile_asks_share_one_chain(fake_groq: FakeGroq, backend, caplog):
    fake_groq.respond_with(
        lambda body: HOSTILE_STEP % "final_answer" if body.get("response_format") else HOSTILE_ANSWER
    )
    async with running_service(groq=fake_groq, redis_url=backend) as services:
        results = await asyncio.gather(*(collect(services.service, "Same?", user=f"u{n}") for n in range(3)))
    for events in results:
        assert isinstance(events[-1], FinalAnswer)
        assert events[-1].text == "There are \ufffd 3 Rs \ufffd."
    assert len(fake_groq.chat_requests) == 2
    _no_unhandled_task_errors(caplog)


async def test_hostile_question_and_history_are_made_safe(fake_groq: FakeGroq, backend, caplog):
    fake_groq.reply(json.dumps({"title": "t", "content": "c", "next_action": "final_answer"})).reply("ok")
    history = (Turn(question="before\ud800\x00?", answer="said\udfff \u202eso"),)
    async with running_service(groq=fake_groq, redis_url=backend) as services:
        request = ThinkRequest(question="why\ud800\x00 \u202enot?", history=history)
        events = [event async for event in services.service.think(request)]
        record = await services.service.record(events[0].chain_id)
    assert events[0].question == "why\ufffd not?"
    assert isinstance(events[-1], FinalAnswer)
    assert record.question == "why\ufffd not?"
    sent = [m["content"] for m in fake_groq.chat_requests[0].messages]
    assert sent[1:4] == ["before\ufffd?", "said\ufffd so", "why\ufffd not?"]
    _no_unhandled_task_errors(caplog)
