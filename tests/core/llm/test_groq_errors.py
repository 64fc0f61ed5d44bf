"""GroqClient's retries (the SDK's, once) and its mapping of every failure to one core error."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable

import pytest

from core.errors import (
    JSONValidateError,
    LLMAuthError,
    LLMBadRequestError,
    LLMConnectionError,
    LLMError,
    LLMRateLimitError,
    LLMServerError,
    LLMTimeoutError,
    ModelNotFoundError,
    RequestTooLargeError,
)
from tests.core.llm.sample import MakeGroq, ask
from tests.fakes.groq_server import FakeGroq


async def test_429_waits_for_retry_after_then_succeeds(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.error(429, retry_after=0.3).reply("done")
    completion = await make_groq().complete(ask())

    assert completion.text == "done"
    first, second = fake_groq.chat_requests
    assert second.at - first.at >= 0.3
    assert second.headers["x-stainless-retry-count"] == "1"
    assert fake_groq.pending == 0


async def test_429_persisting_raises_rate_limit_with_retry_after(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.error(429, retry_after=0.05).error(429, retry_after=0.05)
    with pytest.raises(LLMRateLimitError) as caught:
        await make_groq(max_retries=1).complete(ask())

    assert caught.value.retry_after == pytest.approx(0.05)
    assert "after 1 retry" in caught.value.message
    assert len(fake_groq.chat_requests) == 2


async def test_500_then_success_uses_the_sdk_backoff(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.error(500).reply("recovered")
    assert (await make_groq().complete(ask())).text == "recovered"
    first, second = fake_groq.chat_requests
    assert 0.3 <= second.at - first.at < 2.0  # 0.5 s minus up to 25 % jitter


async def test_5xx_persisting_raises_server_error_after_all_retries(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    for status in (502, 503, 503):
        fake_groq.error(status, retry_after=0.01)
    with pytest.raises(LLMServerError, match=r"\(503\) after 2 retries"):
        await make_groq(max_retries=2).complete(ask())
    assert len(fake_groq.chat_requests) == 3


async def test_no_retry_on_client_errors(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.error(400).reply("never reached")
    with pytest.raises(LLMBadRequestError, match=r"refused the request \(400: Bad Request\)"):
        await make_groq().complete(ask())
    assert len(fake_groq.chat_requests) == 1


async def test_wrong_key_is_an_auth_error_naming_the_setting(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    wrong_key = "gsk_wrong_key_do_not_print_0123456789"
    with pytest.raises(LLMAuthError) as caught:
        await make_groq(api_key=wrong_key).complete(ask())

    assert "GROQ_API_KEY" in caught.value.message
    assert wrong_key not in str(caught.value)
    [sent] = fake_groq.chat_requests
    assert not sent.authorized
    assert sent.headers["authorization"] == "Bearer [redacted]"


async def test_unknown_model_names_model_and_setting(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    with pytest.raises(ModelNotFoundError) as caught:
        await make_groq().complete(ask(model="llama-3.3-70b-versatile"))
    assert caught.value.model == "llama-3.3-70b-versatile"
    assert "`llama-3.3-70b-versatile`" in caught.value.message
    assert "THINKBOT_MODEL" in caught.value.message


async def test_decommissioned_model_is_model_not_found(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    with pytest.raises(ModelNotFoundError, match=r"retired the model `gemma2-9b-it`.*THINKBOT_MODEL"):
        await make_groq().complete(ask(model="gemma2-9b-it"))
    assert len(fake_groq.chat_requests) == 1


async def test_413_says_the_chain_got_too_long(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.tpm_limit = 500  # the budget counts towards Groq's tokens-per-minute check
    with pytest.raises(RequestTooLargeError, match="chain got too long for the tokens-per-minute limit"):
        await make_groq().complete(ask(max_tokens=400))  # 400 + 256 headroom + prompt > 500
    assert len(fake_groq.chat_requests) == 1


async def test_scripted_413_maps_too(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.error(413, {"error": {"message": "too big", "type": "invalid_request_error", "code": "too_large"}})
    with pytest.raises(RequestTooLargeError):
        await make_groq().complete(ask())


async def test_json_validate_failed_carries_failed_generation(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply('{"title": "Step 1", "content": "unterminated')
    with pytest.raises(JSONValidateError) as caught:
        await make_groq().complete(ask("Reply in JSON.", json_mode=True))
    assert caught.value.failed_generation == '{"title": "Step 1", "content": "unterminated'
    assert len(fake_groq.chat_requests) == 1


async def test_json_mode_without_the_word_json_is_a_bad_request(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("{}")
    with pytest.raises(LLMBadRequestError, match="must contain the word 'json'"):
        await make_groq().complete(ask("Reply as an object.", json_mode=True))
    assert fake_groq.pending == 1  # refused before the model ran


async def test_wrong_route_points_at_the_base_url(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    with pytest.raises(LLMBadRequestError, match="GROQ_BASE_URL"):
        await make_groq(base_url=fake_groq.base_url + "/wrong").complete(ask())


async def test_timeout_when_the_server_hangs(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.hang()
    start = time.perf_counter()
    with pytest.raises(LLMTimeoutError, match=r"did not answer within 0\.2 s"):
        await make_groq(timeout=0.2, max_retries=0).complete(ask())
    assert time.perf_counter() - start < 1.5


async def test_connection_refused(make_groq: MakeGroq) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with pytest.raises(LLMConnectionError, match=r"Could not reach Groq; check the network and GROQ_BASE_URL"):
        await make_groq(base_url=f"http://127.0.0.1:{closed_port}", max_retries=0).complete(ask())


GPT = "openai/gpt-oss-120b"
FAST = {"retry-after-ms": "10"}


@pytest.mark.parametrize(
    ("script", "model", "expected"),
    [
        pytest.param(lambda f: f.error(429, headers=FAST).error(429), GPT, LLMRateLimitError, id="429"),
        pytest.param(lambda f: f.error(500, headers=FAST).error(500), GPT, LLMServerError, id="500"),
        pytest.param(lambda f: f.error(400), GPT, LLMBadRequestError, id="400"),
        pytest.param(lambda f: f.reply("no json here"), GPT, JSONValidateError, id="json"),
        pytest.param(lambda f: None, "no-such-model", ModelNotFoundError, id="404"),
        pytest.param(lambda f: f.error(401), GPT, LLMAuthError, id="401"),
        pytest.param(lambda f: f.hang().hang(), GPT, LLMTimeoutError, id="timeout"),
    ],
)
async def test_no_error_text_or_log_line_contains_the_key(
    fake_groq: FakeGroq,
    make_groq: MakeGroq,
    caplog: pytest.LogCaptureFixture,
    script: Callable[[FakeGroq], object],
    model: str,
    expected: type[LLMError],
) -> None:
    caplog.set_level(logging.DEBUG)
    script(fake_groq)
    with pytest.raises(LLMError) as caught:
        await make_groq(timeout=0.1, max_retries=1).complete(ask("Reply in json.", model=model, json_mode=True))

    error = caught.value
    assert isinstance(error, expected)
    key = fake_groq.api_key
    for text in (str(error), repr(error), error.user_message, str(error.__cause__), caplog.text):
        assert key not in text
    assert key[4:20] not in caplog.text


async def test_a_reply_without_choices_is_a_server_error(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    empty = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": GPT, "choices": []}
    fake_groq.error(200, empty)  # any status and body can be scripted
    with pytest.raises(LLMServerError, match=f"Groq returned no answer for `{GPT}`"):
        await make_groq().complete(ask())


async def test_cancelling_the_call_stops_it_without_a_retry(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.hang().reply("must stay queued")
    task = asyncio.create_task(make_groq(timeout=5.0).complete(ask()))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert {t for t in asyncio.all_tasks() if t is not asyncio.current_task()} == set()
    await asyncio.sleep(0.1)
    assert len(fake_groq.chat_requests) == 1
    assert fake_groq.pending == 1
