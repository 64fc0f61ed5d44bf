"""The fake Groq server itself, spoken to over plain HTTP: the behaviour the provider tests rely on."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from tests.fakes.groq_server import FakeGroq, Reply


def post(fake: FakeGroq, body: dict[str, Any], *, key: str | None = None, prefix: str = "/openai/v1") -> httpx.Response:
    headers = {"Authorization": f"Bearer {key or fake.api_key}"}
    return httpx.post(f"{fake.base_url}{prefix}/chat/completions", json=body, headers=headers, timeout=5)


def chat(model: str = "openai/gpt-oss-120b", content: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": content}], **extra}


def test_reply_shape_with_groq_fields(fake_groq: FakeGroq) -> None:
    fake_groq.reply("hello")
    body = post(fake_groq, chat()).json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "hello"}
    assert body["x_groq"]["id"].startswith("req_")
    assert set(body["usage"]) >= {"queue_time", "prompt_time", "completion_time", "total_time", "total_tokens"}


def test_groq_and_openai_routes_share_one_queue_and_record_in_order(fake_groq: FakeGroq) -> None:
    fake_groq.reply("one").reply("two")
    assert post(fake_groq, chat(content="a")).json()["choices"][0]["message"]["content"] == "one"
    assert post(fake_groq, chat(content="b"), prefix="/v1").json()["choices"][0]["message"]["content"] == "two"
    assert [r.messages[0]["content"] for r in fake_groq.chat_requests] == ["a", "b"]
    assert [r.path for r in fake_groq.requests] == ["/openai/v1/chat/completions", "/v1/chat/completions"]


def test_models_route_needs_the_key(fake_groq: FakeGroq) -> None:
    url = f"{fake_groq.base_url}/openai/v1/models"
    assert httpx.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    listed = httpx.get(url, headers={"Authorization": f"Bearer {fake_groq.api_key}"}).json()
    assert "openai/gpt-oss-120b" in [m["id"] for m in listed["data"]]


def test_auth_error_body_is_groqs(fake_groq: FakeGroq) -> None:
    response = post(fake_groq, chat(), key="gsk_wrong")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}
    }


def test_unknown_model_body(fake_groq: FakeGroq) -> None:
    response = post(fake_groq, chat(model="x"))
    assert response.status_code == 404
    assert response.json()["error"] == {
        "message": "The model `x` does not exist or you do not have access to it.",
        "type": "invalid_request_error",
        "code": "model_not_found",
    }


@pytest.mark.parametrize(
    ("model", "extra", "reasoning", "content"),
    [
        ("openai/gpt-oss-120b", {}, "why", "A"),  # include_reasoning defaults to true
        ("openai/gpt-oss-120b", {"include_reasoning": False}, None, "A"),
        ("qwen/qwen3-32b", {}, None, "<think>\nwhy\n</think>\n\nA"),  # reasoning_format defaults to raw
        ("qwen/qwen3-32b", {"reasoning_format": "parsed"}, "why", "A"),
        ("qwen/qwen3-32b", {"reasoning_format": "hidden"}, None, "A"),
        ("qwen/qwen3-32b", {"include_reasoning": False}, None, "A"),
    ],
)
def test_reasoning_is_shown_as_groq_shows_it(
    fake_groq: FakeGroq, model: str, extra: dict[str, Any], reasoning: str | None, content: str
) -> None:
    fake_groq.reply("A", reasoning="why")
    message = post(fake_groq, chat(model=model, **extra)).json()["choices"][0]["message"]
    assert message.get("reasoning") == reasoning
    assert message["content"] == content


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        ("openai/gpt-oss-120b", {"reasoning_format": "hidden"}),
        ("qwen/qwen3-32b", {"reasoning_format": "hidden", "include_reasoning": False}),
        ("qwen/qwen3-32b", {"reasoning_format": "raw", "response_format": {"type": "json_object"}}),
        ("meta-llama/llama-4-scout-17b-16e-instruct", {"include_reasoning": False}),
    ],
)
def test_refused_reasoning_parameters(fake_groq: FakeGroq, model: str, extra: dict[str, Any]) -> None:
    fake_groq.reply("{}")
    assert post(fake_groq, chat(model=model, content="json please", **extra)).status_code == 400
    assert fake_groq.pending == 1


def test_scripted_error_keeps_body_and_headers(fake_groq: FakeGroq) -> None:
    fake_groq.error(503, "<html>bad gateway</html>", headers={"x-test": "1"}).error(429, retry_after=2)
    first = post(fake_groq, chat())
    assert (first.status_code, first.text, first.headers["x-test"]) == (503, "<html>bad gateway</html>", "1")
    second = post(fake_groq, chat())
    assert second.headers["retry-after"] == "2"
    assert second.json()["error"]["code"] == "rate_limit_exceeded"


def test_unscripted_request_fails_loudly_without_retry(fake_groq: FakeGroq) -> None:
    response = post(fake_groq, chat())
    assert response.status_code == 500
    assert response.headers["x-should-retry"] == "false"
    assert fake_groq.unscripted == 1


def test_responder_answers_when_the_queue_is_empty(fake_groq: FakeGroq) -> None:
    fake_groq.respond_with(lambda body: f"echo {body['messages'][-1]['content']}").reply("queued first")
    assert post(fake_groq, chat(content="x")).json()["choices"][0]["message"]["content"] == "queued first"
    assert post(fake_groq, chat(content="y")).json()["choices"][0]["message"]["content"] == "echo y"
    fake_groq.respond_with(lambda body: Reply("slow", delay=0.01))
    assert post(fake_groq, chat()).json()["choices"][0]["message"]["content"] == "slow"


async def test_delayed_replies_are_served_concurrently(fake_groq: FakeGroq) -> None:
    fake_groq.respond_with(lambda body: Reply("ok", delay=0.2))
    headers = {"Authorization": f"Bearer {fake_groq.api_key}"}
    url = f"{fake_groq.base_url}/openai/v1/chat/completions"
    start = time.perf_counter()
    async with httpx.AsyncClient(headers=headers, timeout=5) as client:
        responses = await asyncio.gather(*(client.post(url, json=chat()) for _ in range(20)))
    assert all(r.status_code == 200 for r in responses)
    assert time.perf_counter() - start < 1.0


def test_stop_releases_a_hanging_request_and_leaves_no_thread() -> None:
    before = {t.ident for t in threading.enumerate()}
    fake = FakeGroq().start()
    outcome: list[object] = []

    def call() -> None:
        headers = {"Authorization": f"Bearer {fake.api_key}"}
        try:
            outcome.append(httpx.post(f"{fake.base_url}/v1/chat/completions", json=chat(), headers=headers).status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    try:
        fake.hang()
        caller.start()
        deadline = time.monotonic() + 5
        while fake.pending and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)
        assert fake.pending == 0  # taken ...
        assert not outcome  # ... and hanging
        start = time.perf_counter()
    finally:
        fake.stop()
    caller.join(5)
    assert time.perf_counter() - start < 2.5
    assert outcome == [503]
    assert {t.ident for t in threading.enumerate()} <= before


def test_redacts_authorization_and_keeps_other_headers(fake_groq: FakeGroq) -> None:
    fake_groq.reply("x")
    post(fake_groq, chat())
    [sent] = fake_groq.requests
    assert sent.headers["authorization"] == "Bearer [redacted]"
    assert sent.headers["content-type"] == "application/json"
    assert fake_groq.api_key not in repr(sent)


def test_recording_can_be_switched_off_for_benchmarks() -> None:
    with FakeGroq(record=False, responder=lambda body: "ok") as fake:
        assert post(fake, chat()).status_code == 200
        assert fake.requests == []
