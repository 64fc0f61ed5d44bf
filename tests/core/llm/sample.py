"""Small builders shared by the LLM provider tests."""

from __future__ import annotations

from collections.abc import Callable

from core.llm import CompletionRequest, GroqClient, Message, OpenAICompatibleClient

__all__ = ["MakeGroq", "MakeOpenAI", "ask"]

MakeGroq = Callable[..., GroqClient]
MakeOpenAI = Callable[..., OpenAICompatibleClient]


def ask(
    content: str = "What is 2 + 2?",
    *,
    model: str = "openai/gpt-oss-120b",
    json_mode: bool = False,
    max_tokens: int = 64,
    temperature: float = 0.2,
) -> CompletionRequest:
    messages = (Message("system", "You reason step by step."), Message("user", content))
    return CompletionRequest(
        model=model, messages=messages, temperature=temperature, max_tokens=max_tokens, json_mode=json_mode
    )
