"""The fake Groq's Structured Outputs (``response_format`` ``json_schema``), spoken to over plain HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.fakes.groq_server import FakeGroq

STEP = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "content": {"type": "string"},
        "next_action": {"type": "string", "enum": ["continue", "final_answer"]},
    },
    "required": ["title", "content", "next_action"],
    "additionalProperties": False,
}
GOOD = json.dumps({"title": "t", "content": "c", "next_action": "continue"})


def ask(fake: FakeGroq, model: str, *, strict: bool | None = True, schema: Any = STEP, **extra: Any) -> httpx.Response:
    spec: dict[str, Any] = {"name": "step", "schema": schema}
    if strict is not None:
        spec["strict"] = strict
    body = {
        "model": model,
        "messages": [{"role": "user", "content": "one step"}],  # no "json": json_schema does not need the word
        "response_format": {"type": "json_schema", "json_schema": spec},
        **extra,
    }
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    return httpx.post(f"{fake.base_url}/openai/v1/chat/completions", json=body, headers=headers, timeout=5)


@pytest.mark.parametrize("model", ["openai/gpt-oss-120b", "openai/gpt-oss-20b"])
def test_strict_schema_is_accepted_on_gpt_oss(fake_groq: FakeGroq, model: str) -> None:
    fake_groq.reply(GOOD)
    response = ask(fake_groq, model)
    assert response.status_code == 200
    assert json.loads(response.json()["choices"][0]["message"]["content"])["next_action"] == "continue"


def test_best_effort_is_accepted_where_documented(fake_groq: FakeGroq) -> None:
    fake_groq.reply(GOOD).reply(GOOD)
    assert ask(fake_groq, "meta-llama/llama-4-scout-17b-16e-instruct", strict=False).status_code == 200
    assert ask(fake_groq, "moonshotai/kimi-k2-instruct-0905", strict=None).status_code == 200  # strict defaults off


@pytest.mark.parametrize("strict", [True, False])
def test_a_model_without_structured_outputs_answers_groqs_400(fake_groq: FakeGroq, strict: bool) -> None:
    fake_groq.reply(GOOD)
    response = ask(fake_groq, "qwen/qwen3-32b", strict=strict)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("This model does not support response format `json_schema`.")
    assert fake_groq.pending == 1  # refused before the model ran


def test_strict_on_a_best_effort_model_is_refused(fake_groq: FakeGroq) -> None:
    response = ask(fake_groq, "meta-llama/llama-4-scout-17b-16e-instruct", strict=True)
    assert response.status_code == 400
    assert "strict" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({**STEP, "additionalProperties": True}, "additionalProperties must be false"),
        ({k: v for k, v in STEP.items() if k != "additionalProperties"}, "additionalProperties must be false"),
        ({**STEP, "required": ["title", "content"]}, "missing next_action"),
        (
            {
                **STEP,
                "properties": {**STEP["properties"], "tags": {"type": "array", "items": {"type": "object"}}},
                "required": [*STEP["required"], "tags"],
            },
            "/properties/tags/items: additionalProperties",
        ),
    ],
)
def test_strict_needs_closed_objects_and_every_property_required(
    fake_groq: FakeGroq, schema: dict[str, Any], problem: str
) -> None:
    response = ask(fake_groq, "openai/gpt-oss-120b", schema=schema)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("invalid schema for response format: response_format/json_schema/schema")
    assert problem in message


def test_best_effort_takes_an_open_schema(fake_groq: FakeGroq) -> None:
    fake_groq.reply(GOOD)
    response = ask(fake_groq, "openai/gpt-oss-120b", strict=False, schema={**STEP, "additionalProperties": True})
    assert response.status_code == 200


def test_best_effort_reply_off_the_schema_is_json_validate_failed(fake_groq: FakeGroq) -> None:
    wrong = json.dumps({"title": "t", "content": "c", "next_action": "stop"})
    fake_groq.reply(wrong)
    response = ask(fake_groq, "moonshotai/kimi-k2-instruct-0905", strict=False)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "json_validate_failed"
    assert error["message"].startswith("Generated JSON does not match the expected schema.")
    assert error["failed_generation"] == wrong


def test_a_strict_script_off_the_schema_fails_the_test_not_the_client(fake_groq: FakeGroq) -> None:
    fake_groq.reply("not json at all")
    response = ask(fake_groq, "openai/gpt-oss-120b")
    assert response.status_code == 500
    assert response.headers["x-should-retry"] == "false"
    assert "does not follow the strict json_schema" in response.json()["error"]["message"]


def test_a_strict_reply_cut_by_the_budget_comes_back_cut(fake_groq: FakeGroq) -> None:
    fake_groq.reply(json.dumps({"title": "t", "content": "x" * 400, "next_action": "continue"}))
    response = ask(fake_groq, "openai/gpt-oss-120b", max_completion_tokens=20, include_reasoning=False)
    choice = response.json()["choices"][0]
    assert (response.status_code, choice["finish_reason"]) == (200, "length")
    assert len(choice["message"]["content"]) == 80


def test_structured_outputs_do_not_stream(fake_groq: FakeGroq) -> None:
    response = ask(fake_groq, "openai/gpt-oss-120b", stream=True)
    assert response.status_code == 400
    assert "streaming" in response.json()["error"]["message"]


def test_a_json_schema_without_a_name_is_refused(fake_groq: FakeGroq) -> None:
    headers = {"Authorization": f"Bearer {fake_groq.api_key}"}
    body = {
        "model": "openai/gpt-oss-120b",
        "messages": [{"role": "user", "content": "x"}],
        "response_format": {"type": "json_schema", "json_schema": {"schema": STEP}},
    }
    response = httpx.post(f"{fake_groq.base_url}/openai/v1/chat/completions", json=body, headers=headers)
    assert response.status_code == 400
