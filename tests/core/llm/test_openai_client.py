"""OpenAICompatibleClient over the real openai SDK against the fake's OpenAI-style routes."""

from __future__ import annotations

import socket

import pytest

from core.errors import LLMAuthError, LLMConnectionError, ModelNotFoundError
from core.llm.openai_client import display_url
from tests.core.llm.sample import MakeOpenAI, ask
from tests.fakes.groq_server import FakeGroq


async def test_happy_path_request_and_response(fake_groq: FakeGroq, make_openai: MakeOpenAI) -> None:
    fake_groq.reply('{"answer": 4}', prompt_tokens=21, completion_tokens=5)
    completion = await make_openai().complete(ask("Reply in JSON.", model="openai/gpt-oss-20b", json_mode=True))

    assert completion.text == '{"answer": 4}'
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (21, 5)
    assert completion.finish_reason == "stop"
    [sent] = fake_groq.chat_requests
    assert sent.path == "/v1/chat/completions"
    assert sent.authorized
    assert sent.body["max_tokens"] == 64  # what Ollama, LM Studio and vLLM all read
    assert sent.body["response_format"] == {"type": "json_object"}
    for groq_only in ("max_completion_tokens", "include_reasoning", "reasoning_format"):
        assert groq_only not in sent.body


async def test_think_block_in_content_is_removed(fake_groq: FakeGroq, make_openai: MakeOpenAI) -> None:
    # qwen3 without Groq's reasoning_format answers "raw": reasoning inside <think> tags in the content.
    fake_groq.reply("The answer is 4.", reasoning="hmm, 2 + 2")
    completion = await make_openai().complete(ask(model="qwen/qwen3-32b", max_tokens=200))

    assert completion.text == "The answer is 4."
    assert "hmm" not in completion.text


async def test_wrong_key_names_endpoint_and_setting(fake_groq: FakeGroq, make_openai: MakeOpenAI) -> None:
    with pytest.raises(LLMAuthError) as caught:
        await make_openai(api_key="sk-local-wrong-key-123456").complete(ask())
    message = caught.value.message
    assert message.startswith(f"The LLM endpoint at {fake_groq.openai_base_url} rejected the API key (401)")
    assert "OPENAI_API_KEY" in message
    assert "sk-local-wrong-key-123456" not in message


async def test_unknown_model(fake_groq: FakeGroq, make_openai: MakeOpenAI) -> None:
    with pytest.raises(ModelNotFoundError, match=r"has no model `llama3\.2`.*THINKBOT_MODEL"):
        await make_openai().complete(ask(model="llama3.2"))


async def test_unreachable_endpoint_hides_credentials_in_the_url(make_openai: MakeOpenAI) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_openai(base_url=f"http://user:hunter2@127.0.0.1:{port}/v1?token=abc", max_retries=0)
    with pytest.raises(LLMConnectionError) as caught:
        await client.complete(ask())
    assert f"http://127.0.0.1:{port}/v1" in caught.value.message
    assert "THINKBOT_OPENAI_BASE_URL" in caught.value.message
    for secret in ("hunter2", "token=abc"):
        assert secret not in caught.value.message
        assert secret not in repr(client)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://localhost:11434/v1/", "http://localhost:11434/v1"),
        ("https://user:pw@openrouter.ai/api/v1?key=1#x", "https://openrouter.ai/api/v1"),
        ("http://[::1]:8000/v1", "http://[::1]:8000/v1"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    assert display_url(url) == shown
