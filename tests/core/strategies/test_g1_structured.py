"""g1 with Structured Outputs, the service wired as in production around the fake Groq."""

from __future__ import annotations

import json

import pytest

from bot.settings import load_settings
from core.errors import ConfigError
from core.events import ChainFailed, FinalAnswer, Step
from core.strategies.prompts import G1_STEP_SCHEMA
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq

GPT_OSS = "openai/gpt-oss-120b"
QWEN = "qwen/qwen3-32b"
REFUSAL = {
    "error": {
        "message": "This model does not support response format `json_schema`. See supported models at "
        "https://console.groq.com/docs/structured-outputs#supported-models",
        "type": "invalid_request_error",
    }
}


def step(title: str, next_action: str = "continue") -> str:
    return json.dumps({"title": title, "content": "reasoning", "next_action": next_action})


def script_chain(fake: FakeGroq) -> None:
    fake.reply(step("Spell it")).reply(step("Count", "final_answer")).reply("3")


def formats(fake: FakeGroq) -> list[object]:
    return [r.body.get("response_format") for r in fake.chat_requests]


async def test_a_capable_model_gets_the_strict_step_schema(fake_groq: FakeGroq, make_service) -> None:
    script_chain(fake_groq)
    events = await collect(await make_service(model=GPT_OSS))
    assert [e.title for e in events if isinstance(e, Step)] == ["Spell it", "Count"]
    assert isinstance(events[-1], FinalAnswer)
    strict = {
        "type": "json_schema",
        "json_schema": {"name": "reasoning_step", "schema": G1_STEP_SCHEMA, "strict": True},
    }
    assert formats(fake_groq) == [strict, strict, None]  # the final answer is plain text


async def test_other_models_get_json_mode(fake_groq: FakeGroq, make_service) -> None:
    script_chain(fake_groq)
    events = await collect(await make_service(model=QWEN))
    assert isinstance(events[-1], FinalAnswer)
    assert formats(fake_groq) == [{"type": "json_object"}, {"type": "json_object"}, None]


async def test_a_400_to_the_schema_falls_back_to_json_mode_without_failing(fake_groq: FakeGroq, make_service) -> None:
    fake_groq.error(400, REFUSAL)
    script_chain(fake_groq)
    service = await make_service(model=GPT_OSS)
    events = await collect(service)
    assert not any(isinstance(e, ChainFailed) for e in events)
    assert [e.title for e in events if isinstance(e, Step)] == ["Spell it", "Count"]
    sent = [f["type"] if isinstance(f, dict) else None for f in formats(fake_groq)]
    assert sent == ["json_schema", "json_object", "json_object", None]
    # remembered for the process: the next chain does not try the schema again
    script_chain(fake_groq)
    await collect(service, "Another question?")
    assert [f["type"] if isinstance(f, dict) else None for f in formats(fake_groq)[4:]] == ["json_object"] * 2 + [None]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("json", {"type": "json_object"}),
        (f"auto,{GPT_OSS}=off", None),
    ],
)
async def test_the_setting_overrides_the_table(
    fake_groq: FakeGroq, make_service, setting: str, expected: object
) -> None:
    script_chain(fake_groq)
    await collect(await make_service(model=GPT_OSS, structured_outputs=setting))
    assert formats(fake_groq)[:2] == [expected, expected]


async def test_best_effort_forced_on_a_strict_model(fake_groq: FakeGroq, make_service) -> None:
    script_chain(fake_groq)
    await collect(await make_service(model=GPT_OSS, structured_outputs="best-effort"))
    assert [f["json_schema"]["strict"] for f in formats(fake_groq)[:2]] == [False, False]  # type: ignore[index]


async def test_a_best_effort_miss_is_repaired_from_failed_generation(fake_groq: FakeGroq, make_service) -> None:
    # Llama 4 Scout is best effort: a step off the schema is Groq's 400 json_validate_failed, read and repaired
    fake_groq.reply(json.dumps({"Title": "Odd case", "content": "c", "next_action": "final_answer"})).reply("3")
    events = await collect(await make_service())
    assert [e.title for e in events if isinstance(e, Step)] == ["Odd case"]
    assert len(fake_groq.chat_requests) == 2


def test_a_bad_setting_stops_start_up_naming_it() -> None:
    with pytest.raises(ConfigError, match="THINKBOT_STRUCTURED_OUTPUTS"):
        load_settings(_env_file=None, structured_outputs="sometimes")
