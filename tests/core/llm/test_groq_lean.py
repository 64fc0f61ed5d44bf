"""GroqClient pays only for what it uses (bench/llm_cpu.py): the reply's body parsed once, no typed SDK models,
cookies read only when set; the request, the answer and the cookies Groq sets are as before."""

from __future__ import annotations

import groq
import pytest

from core.errors import LLMError
from tests.core.llm.sample import MakeGroq, ask
from tests.fakes.groq_server import FakeGroq


async def test_a_reply_is_read_without_the_sdks_typed_models(
    fake_groq: FakeGroq, make_groq: MakeGroq, monkeypatch: pytest.MonkeyPatch
) -> None:
    def typed(*args: object, **kwargs: object) -> object:
        raise AssertionError("the reply was built into the SDK's typed models")

    monkeypatch.setattr(groq.AsyncGroq, "_process_response_data", typed)  # where the SDK builds ChatCompletion
    fake_groq.reply("four", prompt_tokens=12, completion_tokens=3, finish_reason="stop")
    completion = await make_groq().complete(ask())

    assert (completion.text, completion.finish_reason) == ("four", "stop")
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (12, 3)


async def test_a_cookie_groq_sets_is_sent_back(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "four"}, "finish_reason": "stop"}]}
    fake_groq.error(200, answer, headers={"set-cookie": "edge=abc; Path=/"})
    fake_groq.reply("five")
    client = make_groq()

    assert (await client.complete(ask())).text == "four"
    assert (await client.complete(ask())).text == "five"
    first, second = fake_groq.chat_requests
    assert "cookie" not in first.headers
    assert second.headers["cookie"] == "edge=abc"


async def test_a_base_url_with_a_path_keeps_it(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply("four")
    with pytest.raises(LLMError):  # the fake serves no such path
        await make_groq(base_url=f"{fake_groq.base_url}/proxy/groq", max_retries=0).complete(ask())

    [sent] = fake_groq.requests
    assert sent.path == "/proxy/groq/openai/v1/chat/completions"
