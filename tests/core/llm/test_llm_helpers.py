"""The small pure parts: which reasoning parameters a model gets, retry-after parsing, think-block removal."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from core.llm.errors import retry_after_seconds
from core.llm.reasoning import ReasoningParams, reasoning_params
from core.llm.wire import strip_think


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("openai/gpt-oss-120b", ReasoningParams(include_reasoning=False)),
        ("openai/gpt-oss-safeguard-20b", ReasoningParams(include_reasoning=False)),
        ("OpenAI/GPT-OSS-20B", ReasoningParams(include_reasoning=False)),
        ("qwen/qwen3-32b", ReasoningParams(reasoning_format="hidden")),
        ("qwen-qwq-32b", ReasoningParams(reasoning_format="hidden")),
        ("deepseek-r1-distill-llama-70b", ReasoningParams(reasoning_format="hidden")),
        ("meta-llama/llama-4-scout-17b-16e-instruct", ReasoningParams()),
        ("moonshotai/kimi-k2-instruct-0905", ReasoningParams()),
    ],
)
def test_reasoning_params(model: str, expected: ReasoningParams) -> None:
    assert reasoning_params(model) == expected
    assert reasoning_params(model).reasons == (expected != ReasoningParams())


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after-ms": "soon", "retry-after": "2"}, 2.0),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "whenever"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_seconds(headers: dict[str, str] | None, expected: float | None) -> None:
    assert retry_after_seconds(headers) == expected


def test_retry_after_as_http_date() -> None:
    seconds = retry_after_seconds({"retry-after": formatdate(time.time() + 30, usegmt=True)})
    assert seconds is not None
    assert 28 <= seconds <= 31


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("<think>\nplan\n</think>\n\nAnswer.", "Answer."),
        ("  <think>a</think>B <think>c</think>", "B <think>c</think>"),
        ("No reasoning here.", "No reasoning here."),
        ("Mentions <think> in passing.", "Mentions <think> in passing."),
    ],
)
def test_strip_think(text: str, visible: str) -> None:
    assert strip_think(text) == visible
