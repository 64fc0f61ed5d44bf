"""GroqClient over the real groq SDK against the fake server: what goes out and what comes back."""

from __future__ import annotations

import asyncio
import json
import time

import groq
import pytest

from core.llm import GroqClient
from tests.core.llm.sample import MakeGroq, ask
from tests.fakes.groq_server import FakeGroq, Reply


async def test_sends_model_messages_temperature_and_budget(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("4")
    model = "meta-llama/llama-4-scout-17b-16e-instruct"
    completion = await make_groq().complete(ask("What is 2 + 2?", model=model, max_tokens=77, temperature=0.7))

    assert completion.text == "4"
    [sent] = fake_groq.chat_requests
    assert sent.path == "/openai/v1/chat/completions"
    assert sent.authorized
    assert sent.body["model"] == model
    assert sent.messages == [
        {"role": "system", "content": "You reason step by step."},
        {"role": "user", "content": "What is 2 + 2?"},
    ]
    assert sent.body["temperature"] == 0.7
    assert sent.body["max_completion_tokens"] == 77  # not a reasoning model: no headroom
    for absent in ("max_tokens", "response_format", "include_reasoning", "reasoning_format", "stream"):
        assert absent not in sent.body


async def test_json_mode_asks_for_a_json_object(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    step = {"title": "Add", "content": "2 + 2 = 4", "next_action": "final_answer"}
    fake_groq.reply(json.dumps(step))
    completion = await make_groq().complete(ask("Answer in JSON: what is 2 + 2?", json_mode=True))

    assert json.loads(completion.text) == step
    assert fake_groq.chat_requests[0].body["response_format"] == {"type": "json_object"}


async def test_usage_timings_latency_and_finish_reason(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("four", prompt_tokens=120, completion_tokens=30, delay=0.05, finish_reason="length")
    completion = await make_groq().complete(ask(model="qwen/qwen3-32b"))

    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (120, 30, 150)
    assert usage.queue_time == pytest.approx(0.0125)
    assert usage.prompt_time == pytest.approx(120 / 20000)
    assert usage.completion_time == pytest.approx(30 / 500)
    assert usage.total_time == pytest.approx(usage.prompt_time + usage.completion_time)
    assert completion.finish_reason == "length"
    assert 0.05 <= completion.latency < 1.0


async def test_empty_content_becomes_empty_text(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("")
    assert (await make_groq().complete(ask())).text == ""


async def test_gpt_oss_hides_reasoning_and_adds_headroom(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    thoughts = "Let me think about this carefully. " * 20  # ~175 tokens of hidden reasoning
    fake_groq.reply("The answer is 4.", reasoning=thoughts)
    completion = await make_groq(reasoning_headroom=300).complete(ask(max_tokens=50))

    sent = fake_groq.chat_requests[0].body
    assert sent["include_reasoning"] is False
    assert "reasoning_format" not in sent
    assert sent["max_completion_tokens"] == 50 + 300
    assert completion.text == "The answer is 4."
    assert completion.finish_reason == "stop"
    assert "think" not in completion.text
    assert completion.usage.completion_tokens > 50  # the hidden reasoning was paid for


async def test_without_headroom_hidden_reasoning_starves_the_answer(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    # The control for the test above: the fake spends the budget on reasoning first, as the model does.
    fake_groq.reply("The answer is 4.", reasoning="Let me think about this carefully. " * 20)
    completion = await make_groq(reasoning_headroom=0).complete(ask(max_tokens=50))

    assert fake_groq.chat_requests[0].body["max_completion_tokens"] == 50
    assert completion.finish_reason == "length"
    assert completion.text == ""


async def test_qwen3_uses_hidden_reasoning_format(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("4", reasoning="secret chain of thought")
    completion = await make_groq().complete(ask(model="qwen/qwen3-32b", max_tokens=40))

    sent = fake_groq.chat_requests[0].body
    assert sent["reasoning_format"] == "hidden"
    assert "include_reasoning" not in sent
    assert sent["max_completion_tokens"] == 40 + 256
    assert completion.text == "4"


async def test_default_base_url_honours_groq_base_url(fake_groq: FakeGroq, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_BASE_URL", fake_groq.base_url)
    client = GroqClient(api_key=fake_groq.api_key, timeout=2.0, max_retries=0)
    try:
        assert fake_groq.base_url in repr(client)  # checked before any request: never leave 127.0.0.1
        fake_groq.reply("hello")
        assert (await client.complete(ask())).text == "hello"
    finally:
        await client.aclose()


async def test_repr_names_no_key(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    client = make_groq()
    assert fake_groq.api_key not in repr(client)
    assert fake_groq.base_url in repr(client)


def test_negative_headroom_is_refused() -> None:
    with pytest.raises(ValueError, match="reasoning_headroom"):
        GroqClient(api_key="gsk_x", base_url="http://127.0.0.1:9", reasoning_headroom=-1)


async def test_max_connections_caps_calls_in_flight(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.respond_with(lambda body: Reply("ok", delay=0.15))
    client = make_groq(max_connections=2)
    start = time.perf_counter()
    await asyncio.gather(*(client.complete(ask()) for _ in range(4)))
    assert time.perf_counter() - start >= 0.3  # two rounds of two
    arrivals = sorted(r.at for r in fake_groq.chat_requests)
    assert arrivals[2] - arrivals[0] >= 0.15


async def test_reasoning_effort_goes_to_gpt_oss_only(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    client = make_groq(reasoning_effort="low")
    fake_groq.reply("4").reply("4").reply("4")
    await client.complete(ask(model="openai/gpt-oss-120b"))
    await client.complete(ask(model="qwen/qwen3-32b"))
    await client.complete(ask(model="meta-llama/llama-4-scout-17b-16e-instruct"))
    sent = [r.body for r in fake_groq.chat_requests]
    assert sent[0]["reasoning_effort"] == "low"
    assert "reasoning_effort" not in sent[1]
    assert "reasoning_effort" not in sent[2]


async def test_groq_refuses_reasoning_effort_where_it_does_not_apply(fake_groq: FakeGroq) -> None:
    # The fake is as strict as Groq, so a client sending the parameter to the wrong model would fail loudly.
    client = groq.AsyncGroq(api_key=fake_groq.api_key, base_url=fake_groq.base_url, max_retries=0)
    fake_groq.reply("4")
    with pytest.raises(groq.BadRequestError, match="reasoning_effort"):
        await client.chat.completions.create(
            model="meta-llama/llama-4-scout-17b-16e-instruct",
            messages=[{"role": "user", "content": "2+2?"}],
            reasoning_effort="low",
        )
    await client.close()
