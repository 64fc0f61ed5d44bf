"""LLM providers behind one small Protocol (:class:`LLMClient`).

The SDK clients load lazily: importing ``core.llm`` (or ``core.llm.types``, as the events do) does not import the
groq or openai SDKs, which take a second or more to import; ``from core.llm import GroqClient`` does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from core.llm.reasoning import ReasoningParams, reasoning_params
from core.llm.types import Completion, CompletionRequest, LLMClient, Message, Role, Usage

if TYPE_CHECKING:
    from core.llm.groq_client import GroqClient
    from core.llm.openai_client import OpenAICompatibleClient

__all__ = [
    "Completion",
    "CompletionRequest",
    "GroqClient",
    "LLMClient",
    "Message",
    "OpenAICompatibleClient",
    "ReasoningParams",
    "Role",
    "Usage",
    "reasoning_params",
]

_LAZY = {"GroqClient": "core.llm.groq_client", "OpenAICompatibleClient": "core.llm.openai_client"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
