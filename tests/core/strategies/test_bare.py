"""The bare baseline: exactly one plain call, the answer alone (no step), usage counted, failures as elsewhere."""

from core.events import ChainFailed, ChainStarted, FinalAnswer
from core.request import Turn
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq


async def test_one_plain_call_with_the_question_alone_and_the_answer_as_the_only_event(
    fake_groq: FakeGroq, make_service
):
    fake_groq.reply("  There are 3 Rs.\n", prompt_tokens=17, completion_tokens=6)

    events = await collect(await make_service(final_max_tokens=777, temperature=0.7), strategy="bare")

    started, final = events
    assert isinstance(started, ChainStarted)
    assert started.strategy == "bare"
    assert isinstance(final, FinalAnswer)
    assert (final.text, final.steps, final.capped) == ("There are 3 Rs.", 0, False)
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (17, 6)
    [call] = fake_groq.chat_requests
    assert call.messages == [{"role": "user", "content": "How many Rs are in strawberry?"}]
    assert "response_format" not in call.body
    assert call.body["temperature"] == 0.7
    assert call.body["max_completion_tokens"] == 777


async def test_a_follow_up_carries_the_earlier_turns_before_the_question(fake_groq: FakeGroq, make_service):
    fake_groq.reply("Yes, 3.")
    history = (Turn(question="How many Rs in strawberry?", answer="3"),)
    events = await collect(await make_service(), question="Are you sure?", history=history, strategy="bare")
    assert isinstance(events[-1], FinalAnswer)
    [call] = fake_groq.chat_requests
    assert [(m["role"], m["content"]) for m in call.messages] == [
        ("user", "How many Rs in strawberry?"),
        ("assistant", "3"),
        ("user", "Are you sure?"),
    ]


async def test_an_empty_answer_fails_after_its_one_call(fake_groq: FakeGroq, make_service):
    fake_groq.reply(" \u200b\n")
    failed = (await collect(await make_service(), strategy="bare"))[-1]
    assert isinstance(failed, ChainFailed)
    assert (failed.kind, failed.steps) == ("empty_answer", ())
    assert len(fake_groq.chat_requests) == 1


async def test_a_provider_error_ends_the_chain_with_its_kind(fake_groq: FakeGroq, make_service):
    fake_groq.error(413)
    failed = (await collect(await make_service(), strategy="bare"))[-1]
    assert isinstance(failed, ChainFailed)
    assert (failed.kind, failed.steps) == ("request_too_large", ())
    assert "too long" in failed.message
    assert len(fake_groq.chat_requests) == 1


async def test_a_second_ask_is_replayed_from_the_cache_without_a_call(fake_groq: FakeGroq, make_service):
    fake_groq.reply("3.")
    service = await make_service()
    first = (await collect(service, strategy="bare"))[-1]
    again = (await collect(service, strategy="bare"))[-1]
    assert isinstance(first, FinalAnswer)
    assert isinstance(again, FinalAnswer)
    assert (again.text, again.steps, again.cached) == ("3.", 0, True)
    assert len(fake_groq.chat_requests) == 1
