"""The native strategy against the fake Groq: a streamed reasoning becomes ordered titled steps, then the answer."""

import pytest

from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step, StepDelta
from core.strategies.native import NativeStrategy
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq

OPENING = "We need to count the letter r in strawberry. Let me spell the word out and look at every letter. " * 4
REASONING = (
    OPENING.strip() + "\n\n",
    "## Spelling\ns-t-r-a-w-b-e-r-r-",
    "y: r at 3, 8 and 9.\n\n**Double-check.** straw has one r, berry has two: 3.",
)
ANSWER = "There are **3** Rs in strawberry."
EXPECTED = [
    ("We need to count the letter r in…", OPENING.strip()),
    (
        "Spelling",
        "s-t-r-a-w-b-e-r-r-y: r at 3, 8 and 9.\n\n**Double-check.** straw has one r, berry has two: 3.",
    ),
]


@pytest.fixture
def every_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    """A StepDelta for every streamed piece (the fake sends them faster than the 0.1 s the strategy waits)."""
    monkeypatch.setattr(NativeStrategy, "delta_every", 0.0)


def steps_of(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.title, e.content) for e in events if isinstance(e, Step)]


def check_deltas_come_before_their_step(events: list[Event]) -> None:
    written: dict[int, str] = {}
    done: set[int] = set()
    for event in events:
        if isinstance(event, StepDelta):
            assert event.index not in done
            assert event.index == len(done) + 1
            written[event.index] = written.get(event.index, "") + event.text
        elif isinstance(event, Step):
            assert event.index == len(done) + 1
            assert event.content in written.pop(event.index)
            done.add(event.index)


@pytest.mark.usefixtures("every_piece")
async def test_gpt_oss_reasoning_streams_into_titled_steps_then_the_answer(fake_groq: FakeGroq, make_service):
    fake_groq.reply(ANSWER, reasoning="".join(REASONING), reasoning_pieces=REASONING, prompt_tokens=21)

    events = await collect(await make_service(model="openai/gpt-oss-120b", final_max_tokens=500), strategy="native")

    assert isinstance(events[0], ChainStarted)
    assert events[0].strategy == "native"
    assert steps_of(events) == EXPECTED
    assert [type(e).__name__ for e in events[1:]] == [
        "StepDelta", "Step", "StepDelta", "StepDelta", "Step", "FinalAnswer",
    ]  # fmt: skip
    check_deltas_come_before_their_step(events)
    final = events[-1]
    assert isinstance(final, FinalAnswer)
    assert (final.text, final.steps, final.capped) == (ANSWER, 2, False)
    assert final.usage.prompt_tokens == 21
    assert final.usage.completion_tokens > 0
    [call] = fake_groq.chat_requests
    assert call.messages == [{"role": "user", "content": "How many Rs are in strawberry?"}]
    assert (call.body["stream"], call.body["include_reasoning"]) == (True, True)
    assert "reasoning_format" not in call.body
    assert call.body["max_completion_tokens"] == 500 + 1024 + 2048  # answer, one step, the reasoning headroom


async def test_qwen3_on_groq_asks_for_parsed_reasoning(fake_groq: FakeGroq, make_service):
    fake_groq.reply(ANSWER, reasoning="".join(REASONING))
    events = await collect(await make_service(model="qwen/qwen3-32b"), strategy="native")
    assert steps_of(events) == EXPECTED
    check_deltas_come_before_their_step(events)  # held for 0.1 s, so each step's text goes out just before it
    assert isinstance(events[-1], FinalAnswer)
    assert events[-1].text == ANSWER
    [call] = fake_groq.chat_requests
    assert call.body["reasoning_format"] == "parsed"
    assert "include_reasoning" not in call.body


@pytest.mark.usefixtures("every_piece")
async def test_an_inline_think_block_is_parsed_out_of_the_content_as_it_streams(fake_groq: FakeGroq, make_service):
    """Through the OpenAI-compatible client no reasoning parameter is sent, so the fake's qwen3 writes its reasoning
    inline (``<think>`` … ``</think>`` then the answer) in pieces of 4 characters that cut through the tags."""
    fake_groq.reply(ANSWER, reasoning="".join(REASONING))
    service = await make_service(
        model="qwen/qwen3-32b",
        provider="openai",
        openai_base_url=fake_groq.openai_base_url,
        openai_api_key=fake_groq.api_key,
    )
    events = await collect(service, strategy="native")
    assert steps_of(events) == EXPECTED
    check_deltas_come_before_their_step(events)
    assert all("think>" not in e.text for e in events if isinstance(e, StepDelta))
    final = events[-1]
    assert isinstance(final, FinalAnswer)
    assert (final.text, final.steps) == (ANSWER, 2)
    [call] = fake_groq.chat_requests
    assert "reasoning_format" not in call.body


async def test_a_model_that_does_not_reason_fails_at_once_naming_it(fake_groq: FakeGroq, make_service):
    events = await collect(await make_service(model="meta-llama/llama-4-scout-17b-16e-instruct"), strategy="native")
    _started, failed = events
    assert isinstance(failed, ChainFailed)
    assert (failed.kind, failed.steps) == ("input", ())
    assert "meta-llama/llama-4-scout-17b-16e-instruct is not one" in failed.message
    assert "another strategy" in failed.message
    assert fake_groq.chat_requests == []


async def test_a_reasoning_model_that_sends_no_reasoning_fails_when_its_answer_begins(
    fake_groq: FakeGroq, make_service
):
    fake_groq.reply("Three. " * 200)  # gpt-oss with no reasoning to return
    events = await collect(await make_service(model="openai/gpt-oss-20b"), strategy="native")
    failed = events[-1]
    assert isinstance(failed, ChainFailed)
    assert (failed.kind, failed.steps) == ("input", ())
    assert "openai/gpt-oss-20b sent none" in failed.message
    assert not any(isinstance(e, StepDelta | Step | FinalAnswer) for e in events)


async def test_a_stream_broken_mid_reasoning_fails_clearly_keeping_the_finished_steps(
    fake_groq: FakeGroq, make_service
):
    fake_groq.reply(ANSWER, reasoning="".join(REASONING), reasoning_pieces=REASONING, break_after=3)
    events = await collect(await make_service(model="openai/gpt-oss-120b"), strategy="native")
    failed = events[-1]
    assert isinstance(failed, ChainFailed)
    assert failed.kind == "llm_connection"
    assert "closed the connection mid-answer after part of the answer had arrived" in failed.message
    assert "Traceback" not in failed.message
    assert [s.title for s in failed.steps] == [EXPECTED[0][0]]  # the step finished before the break is kept
    assert len(fake_groq.chat_requests) == 1  # not retried: text was shown
    estimate = failed.steps[0].usage  # what the budget is charged, the provider's count never having come
    assert estimate.prompt_tokens > 0
    assert estimate.completion_tokens >= len(failed.steps[0].content) // 4


async def test_reasoning_that_spends_the_whole_budget_fails_as_an_empty_answer(fake_groq: FakeGroq, make_service):
    fake_groq.reply(ANSWER, reasoning=OPENING * 20)
    service = await make_service(
        model="openai/gpt-oss-120b", final_max_tokens=16, step_max_tokens=16, reasoning_headroom=0
    )
    failed = (await collect(service, strategy="native"))[-1]
    assert isinstance(failed, ChainFailed)
    assert failed.kind == "empty_answer"
    assert "spent its whole token budget thinking" in failed.message
    assert failed.steps  # what it thought is kept


async def test_a_second_ask_replays_the_steps_from_the_cache_without_a_call(fake_groq: FakeGroq, make_service):
    fake_groq.reply(ANSWER, reasoning="".join(REASONING))
    service = await make_service(model="openai/gpt-oss-120b")
    first = await collect(service, strategy="native")
    again = await collect(service, strategy="native")
    assert steps_of(again) == steps_of(first) == EXPECTED
    final = again[-1]
    assert isinstance(final, FinalAnswer)
    assert (final.text, final.cached) == (ANSWER, True)
    assert len(fake_groq.chat_requests) == 1
