"""Structured Outputs through both clients against the fake Groq: the model table, the setting, the 400 fallback."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from core.errors import ConfigError, LLMBadRequestError
from core.llm.models import model_traits, structured_support
from core.llm.structured import StructuredOutputs
from core.llm.types import CompletionRequest, Message, ResponseSchema
from core.strategies.prompts import G1_STEP_SCHEMA
from tests.core.llm.sample import MakeGroq, MakeOpenAI
from tests.fakes.groq_server import FakeGroq

STEP = json.dumps({"title": "t", "content": "c", "next_action": "continue"})
SCHEMA = ResponseSchema(name="reasoning_step", schema=G1_STEP_SCHEMA)
REFUSAL = {
    "error": {
        "message": "This model does not support response format `json_schema`. See supported models at "
        "https://console.groq.com/docs/structured-outputs#supported-models",
        "type": "invalid_request_error",
    }
}


def step_request(model: str, *, schema: ResponseSchema | None = SCHEMA) -> CompletionRequest:
    messages = (Message("system", "Reply with one JSON step."), Message("user", "How many Rs in strawberry?"))
    return CompletionRequest(
        model=model, messages=messages, temperature=0.2, max_tokens=256, json_mode=True, schema=schema
    )


def sent_format(fake: FakeGroq, index: int = -1) -> Any:
    return fake.chat_requests[index].body.get("response_format")


@pytest.mark.parametrize(
    ("model", "strict"),
    [
        ("openai/gpt-oss-120b", True),
        ("openai/gpt-oss-20b", True),
        ("meta-llama/llama-4-scout-17b-16e-instruct", False),
        ("moonshotai/kimi-k2-instruct-0905", False),
    ],
)
async def test_a_capable_model_gets_the_schema(
    fake_groq: FakeGroq, make_groq: MakeGroq, model: str, strict: bool
) -> None:
    fake_groq.reply(STEP)
    completion = await make_groq().complete(step_request(model))
    assert json.loads(completion.text)["next_action"] == "continue"
    assert sent_format(fake_groq) == {
        "type": "json_schema",
        "json_schema": {"name": "reasoning_step", "schema": G1_STEP_SCHEMA, "strict": strict},
    }


async def test_other_models_get_json_mode(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply(STEP).reply(STEP)
    client = make_groq()
    await client.complete(step_request("qwen/qwen3-32b"))
    await client.complete(step_request("openai/gpt-oss-120b", schema=None))  # JSON mode asked without a schema
    assert [sent_format(fake_groq, i) for i in (0, 1)] == [{"type": "json_object"}] * 2


async def test_streaming_never_sends_the_schema(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.reply(STEP)
    items = [item async for item in make_groq().stream(step_request("openai/gpt-oss-120b"))]
    assert items[-1].text == STEP  # type: ignore[union-attr]
    assert sent_format(fake_groq) == {"type": "json_object"}


async def test_a_400_despite_the_table_falls_back_once_and_is_remembered(
    fake_groq: FakeGroq, make_groq: MakeGroq, caplog: pytest.LogCaptureFixture
) -> None:
    fake_groq.error(400, REFUSAL).reply(STEP).reply(STEP)
    client = make_groq()
    with caplog.at_level(logging.WARNING, logger="core.llm.structured"):
        first = await client.complete(step_request("openai/gpt-oss-120b"))
        second = await client.complete(step_request("openai/gpt-oss-120b"))
    assert first.text == second.text == STEP
    formats = [r.body["response_format"]["type"] for r in fake_groq.chat_requests]
    assert formats == ["json_schema", "json_object", "json_object"]
    [record] = caplog.records
    assert "openai/gpt-oss-120b" in record.getMessage()
    assert "JSON mode" in record.getMessage()
    # another client (another process) has not seen the refusal
    fake_groq.reply(STEP)
    await make_groq().complete(step_request("openai/gpt-oss-120b"))
    assert sent_format(fake_groq)["type"] == "json_schema"


async def test_a_400_about_something_else_is_not_retried(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    other = {"error": {"message": "'messages.1' : property 'name' is unsupported", "type": "invalid_request_error"}}
    fake_groq.error(400, other).reply(STEP)
    with pytest.raises(LLMBadRequestError):
        await make_groq().complete(step_request("openai/gpt-oss-120b"))
    assert len(fake_groq.chat_requests) == 1


async def test_a_json_mode_400_is_not_retried(fake_groq: FakeGroq, make_groq: MakeGroq) -> None:
    fake_groq.error(400, REFUSAL).reply(STEP)
    with pytest.raises(LLMBadRequestError):
        await make_groq().complete(step_request("qwen/qwen3-32b"))
    assert len(fake_groq.chat_requests) == 1


@pytest.mark.parametrize(
    ("setting", "model", "expected"),
    [
        ("json", "openai/gpt-oss-120b", {"type": "json_object"}),
        ("off", "openai/gpt-oss-120b", None),
        ("best-effort", "openai/gpt-oss-120b", False),
        ("auto,openai/gpt-oss-120b=json", "openai/gpt-oss-120b", {"type": "json_object"}),
        ("json,OpenAI/GPT-OSS-120b=strict", "openai/gpt-oss-120b", True),
        ("strict", "moonshotai/kimi-k2-instruct-0905", "refused"),
    ],
)
async def test_the_setting_overrides_the_table(
    fake_groq: FakeGroq, make_groq: MakeGroq, setting: str, model: str, expected: Any
) -> None:
    fake_groq.reply(STEP)
    await make_groq(structured_outputs=StructuredOutputs.parse(setting)).complete(step_request(model))
    if expected == "refused":  # the fake refuses strict on a best-effort model: asked again in JSON mode
        assert [r.body["response_format"]["type"] for r in fake_groq.chat_requests] == ["json_schema", "json_object"]
    elif isinstance(expected, bool):
        assert sent_format(fake_groq)["json_schema"]["strict"] is expected
    else:
        assert sent_format(fake_groq) == expected


async def test_openai_client_sends_the_schema_and_falls_back_too(fake_groq: FakeGroq, make_openai: MakeOpenAI) -> None:
    fake_groq.reply(STEP).error(400, REFUSAL).reply(STEP)
    client = make_openai()
    await client.complete(step_request("openai/gpt-oss-20b"))
    await client.complete(step_request("meta-llama/llama-4-scout-17b-16e-instruct"))
    sent = [r.body["response_format"] for r in fake_groq.chat_requests]
    assert sent[0]["json_schema"]["strict"] is True
    assert [f["type"] for f in sent[1:]] == ["json_schema", "json_object"]


def test_the_table() -> None:
    assert structured_support("openai/gpt-oss-120b") == "strict"
    assert structured_support(" OpenAI/GPT-OSS-20B ") == "strict"
    assert structured_support("meta-llama/llama-4-maverick-17b-128e-instruct") == "best-effort"
    assert structured_support("qwen/qwen3-32b") == "none"
    assert model_traits("openai/gpt-oss-120b").reasons
    assert not model_traits("moonshotai/kimi-k2-instruct-0905").reasons


@pytest.mark.parametrize(
    ("text", "default", "models"),
    [
        ("", "auto", ()),
        ("JSON", "json", ()),
        (
            "auto, qwen/qwen3-32b = strict ,llama3.2:3b=off",
            "auto",
            (("qwen/qwen3-32b", "strict"), ("llama3.2:3b", "off")),
        ),
        ("a/b=json", "auto", (("a/b", "json"),)),
    ],
)
def test_the_setting_parses(text: str, default: str, models: tuple[tuple[str, str], ...]) -> None:
    setting = StructuredOutputs.parse(text)
    assert (setting.default, setting.models) == (default, models)


@pytest.mark.parametrize("text", ["yes", "strict-ish", "=json", "a/b=maybe"])
def test_a_bad_setting_names_the_variable_and_the_modes(text: str) -> None:
    with pytest.raises(ConfigError, match=r"THINKBOT_STRUCTURED_OUTPUTS: .* auto, strict, best-effort, json, off"):
        StructuredOutputs.parse(text)
