"""A second provider: :class:`LLMClient` over ``openai.AsyncOpenAI`` for any OpenAI-compatible endpoint.

For Ollama, LM Studio, vLLM, OpenRouter and the like, given their base URL (``http://localhost:11434/v1``).
Retries are the SDK's own, the same Stainless policy as the groq SDK (see :mod:`core.llm.groq_client`): 408, 409,
429, 5xx and transport failures, honouring ``retry-after`` (openai allows up to 120 s). No second loop here.

Differences from the Groq client, on purpose: the budget goes out as ``max_tokens``, which every such server
reads (not all know ``max_completion_tokens``); no Groq-only reasoning parameters are sent; instead a leading
``<think>...</think>`` block, which local reasoning models (qwen3, deepseek-r1) put in the content, is removed
from the text.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

import openai

from core.llm.call import call_completion
from core.llm.errors import ErrorContext
from core.llm.stream import stream_completion
from core.llm.structured import Format, ResponseFormats, StructuredOutputs
from core.llm.types import Completion, CompletionRequest, Delta
from core.llm.wire import chat_messages, strip_think

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from openai import AsyncStream
    from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam

__all__ = ["OpenAICompatibleClient", "display_url"]


def display_url(url: str) -> str:
    """``url`` without user info, query or fragment, so it can appear in messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


class OpenAICompatibleClient:
    """One ``AsyncOpenAI`` per instance; build it once per process and ``aclose()`` it.

    ``structured_outputs`` picks ``json_schema``, JSON mode or neither per model (:mod:`core.llm.structured`).
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        timeout: float = 60.0,
        max_retries: int = 2,
        structured_outputs: StructuredOutputs | None = None,
    ) -> None:
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)
        self._formats = ResponseFormats(structured_outputs)
        self._endpoint = display_url(base_url)
        self._context = ErrorContext(
            provider=f"the LLM endpoint at {self._endpoint}",
            key_setting="OPENAI_API_KEY",
            base_url_setting="THINKBOT_OPENAI_BASE_URL",
            timeout=timeout,
            sdk=openai,
        )

    def __repr__(self) -> str:
        return f"OpenAICompatibleClient(base_url={self._endpoint!r}, max_retries={self._client.max_retries})"

    async def complete(self, request: CompletionRequest) -> Completion:
        async def send(response_format: Format) -> Completion:
            call = self._create(request, response_format)
            return await call_completion(call, model=request.model, context=self._context)

        completion = await self._formats.call(request, send)
        return dataclasses.replace(completion, text=strip_think(completion.text))

    async def _create(self, request: CompletionRequest, response_format: Format) -> ChatCompletion:
        return await self._client.chat.completions.create(
            model=request.model,
            messages=cast("list[ChatCompletionMessageParam]", chat_messages(request)),
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            response_format=_sdk_format(response_format),
        )

    def stream(self, request: CompletionRequest) -> AsyncIterator[Delta | Completion]:
        """Streamed with ``stream_options={"include_usage": True}`` (the usage comes in the last chunk); reasoning
        from ``delta.reasoning`` or ``delta.reasoning_content``. A ``<think>`` block in the content is left as is."""

        async def open_stream() -> AsyncStream[ChatCompletionChunk]:
            return await self._client.chat.completions.create(
                model=request.model,
                messages=cast("list[ChatCompletionMessageParam]", chat_messages(request)),
                temperature=request.temperature,
                max_tokens=request.max_tokens,
                response_format=_sdk_format(self._formats.choose(request, stream=True)),
                stream=True,
                stream_options={"include_usage": True},
            )

        retries = self._client.max_retries
        return stream_completion(open_stream, model=request.model, context=self._context, retries=retries)

    async def aclose(self) -> None:
        await self._client.close()


def _sdk_format(response_format: Format) -> Any:
    """The SDK's ``response_format`` argument: the dict as is (its TypedDicts are plain dicts), or omitted."""
    return openai.omit if response_format is None else response_format
