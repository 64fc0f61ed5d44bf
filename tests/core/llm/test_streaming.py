"""LLMClient.stream over the real SDKs against the fake Groq's Server-Sent Events."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import LLMBadRequestError, LLMConnectionError
from core.llm import Completion, CompletionRequest, GroqClient, LLMClient
from core.llm.stream import SafePieces
from core.llm.types import Delta
from core.text import safe_text
from tests.core.llm.sample import MakeGroq, MakeOpenAI, ask
from tests.fakes.groq_server import FakeGroq

SCOUT = "meta-llama/llama-4-scout-17b-16e-instruct"


async def collect(client: LLMClient, request: CompletionRequest) -> tuple[list[Delta], Completion]:
    items = [item async for item in client.stream(request)]
    *deltas, last = items
    assert isinstance(last, Completion)
    assert all(isinstance(d, Delta) for d in deltas)
    return [d for d in deltas if isinstance(d, Delta)], last


async def read_into(shown: list[str], client: LLMClient, request: CompletionRequest) -> None:
    async for item in client.stream(request):
        assert isinstance(item, Delta)
        shown.append(item.text)


async def test_pieces_arrive_in_order_and_join_to_the_text(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("Two plus two is four.", pieces=("Two", " plus", " two", " is four."), completion_tokens=6)
    deltas, completion = await collect(make_groq(), ask(model=SCOUT))

    assert [d.text for d in deltas] == ["Two", " plus", " two", " is four."]
    assert completion.text == "Two plus two is four."
    assert (completion.finish_reason, completion.reasoning) == ("stop", "")
    assert completion.usage.completion_tokens == 6  # from x_groq.usage in the last chunk
    assert completion.usage.prompt_tokens > 0
    assert completion.usage.queue_time > 0
    [sent] = fake_groq.chat_requests
    assert sent.body["stream"] is True
    assert "stream_options" not in sent.body


async def test_gpt_oss_reasoning_pieces_come_separately_first(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("4", reasoning="Add two and two.", reasoning_pieces=("Add two", " and two."))
    request = dataclasses.replace(ask(model="openai/gpt-oss-120b"), reasoning=True)
    deltas, completion = await collect(make_groq(), request)

    assert deltas == [Delta(reasoning="Add two"), Delta(reasoning=" and two."), Delta(text="4")]
    assert (completion.text, completion.reasoning) == ("4", "Add two and two.")
    assert fake_groq.chat_requests[0].body["include_reasoning"] is True


async def test_qwen3_reasoning_is_asked_for_parsed(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("4", reasoning="Two and two.")
    request = dataclasses.replace(ask(model="qwen/qwen3-32b"), reasoning=True)
    _, completion = await collect(make_groq(), request)

    assert (completion.text, completion.reasoning) == ("4", "Two and two.")
    body = fake_groq.chat_requests[0].body
    assert body["reasoning_format"] == "parsed"
    assert "include_reasoning" not in body


async def test_reasoning_stays_hidden_unless_asked(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("4", reasoning="secret thoughts")
    deltas, completion = await collect(make_groq(), ask(model="openai/gpt-oss-120b"))

    assert all(not d.reasoning for d in deltas)
    assert (completion.text, completion.reasoning) == ("4", "")


async def test_openai_client_asks_for_usage_in_the_last_chunk(fake_groq: FakeGroq, make_openai: MakeOpenAI) -> None:
    fake_groq.reply("Hello there", prompt_tokens=11, completion_tokens=3, pieces=("Hello", " there"))
    deltas, completion = await collect(make_openai(), ask(model=SCOUT))

    assert [d.text for d in deltas] == ["Hello", " there"]
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (11, 3)
    assert fake_groq.chat_requests[0].body["stream_options"] == {"include_usage": True}


async def test_a_stream_broken_midway_fails_clearly_and_is_not_retried(
    fake_groq: FakeGroq, make_groq: MakeGroq, make_openai: MakeOpenAI
) -> None:
    for client in (make_groq(), make_openai()):
        fake_groq.reset()
        fake_groq.reply("one two three four five six", break_after=3).reply("never used")
        shown: list[str] = []
        with pytest.raises(LLMConnectionError) as caught:
            await read_into(shown, client, ask(model=SCOUT))

        assert "".join(shown) == "one two "  # the role chunk, then two pieces, then the connection closed
        message = str(caught.value)
        assert "closed the connection mid-answer after part of the answer had arrived" in message
        assert "Traceback" not in message
        assert fake_groq.api_key not in message
        assert caught.value.__cause__ is None
        assert len(fake_groq.chat_requests) == 1
        assert fake_groq.pending == 1


async def test_a_stream_broken_before_any_piece_is_opened_again(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("lost", break_after=1).reply("found", pieces=("fo", "und"))
    deltas, completion = await collect(make_groq(), ask(model=SCOUT))

    assert [d.text for d in deltas] == ["fo", "und"]
    assert completion.text == "found"
    assert len(fake_groq.chat_requests) == 2


async def test_a_stream_that_keeps_breaking_before_any_piece_fails(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    for _ in range(2):
        fake_groq.reply("lost", break_after=1)
    with pytest.raises(LLMConnectionError, match="closed the connection mid-answer; check"):
        await collect(make_groq(max_retries=1), ask(model=SCOUT))
    assert len(fake_groq.chat_requests) == 2


async def test_a_429_before_the_stream_is_retried_by_the_sdk(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.error(429, retry_after=0.05).reply("after the wait")
    _, completion = await collect(make_groq(), ask(model=SCOUT))

    assert completion.text == "after the wait"
    [first, second] = fake_groq.chat_requests
    assert second.at - first.at >= 0.05
    assert second.headers.get("x-stainless-retry-count") == "1"


async def test_a_refusal_before_the_stream_is_the_plain_calls_error(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    with pytest.raises(LLMBadRequestError, match="refused the request"):
        await collect(make_groq(), ask("No format word here", model=SCOUT, json_mode=True))


def test_safe_pieces_join_to_the_safe_whole() -> None:
    pieces = SafePieces()
    out = [pieces.feed("a\r"), pieces.feed("\nb\x00"), pieces.feed("\ud83d"), pieces.feed("\ude00c"), pieces.flush()]
    assert "".join(out) == safe_text("a\r\nb\x00\ud83d\ude00c") == "a\nb😀c"


@pytest.fixture(scope="module")
def shared_fake() -> Iterator[FakeGroq]:
    with FakeGroq() as fake:
        yield fake


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=120), data=st.data())
def test_any_split_reassembles_exactly(shared_fake: FakeGroq, text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=8)))
    pieces = tuple(text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True))
    write_size = data.draw(st.integers(1, 64))  # network reads that may cut a multi-byte character in two
    shared_fake.reset()
    shared_fake.reply(text, pieces=pieces, write_size=write_size)

    async def run() -> tuple[list[Delta], Completion]:
        client = GroqClient(api_key=shared_fake.api_key, base_url=shared_fake.base_url, timeout=5, max_retries=0)
        try:
            return await collect(client, ask(model=SCOUT, max_tokens=10_000))
        finally:
            await client.aclose()

    deltas, completion = asyncio.run(run())
    assert "".join(d.text for d in deltas) == completion.text == safe_text(text)
    assert completion.finish_reason == "stop"
