"""The Groq provider: :class:`LLMClient` over the official ``groq.AsyncGroq``.

Retries follow ONE policy, in ONE place: the SDK's own. As read in groq 1.x,
``groq/_base_client.py`` ``AsyncAPIClient.request`` makes up to ``max_retries + 1`` attempts:

- a transport failure (``httpx.TimeoutException`` or any other exception from sending) is retried while attempts
  remain, then raised as ``APITimeoutError`` / ``APIConnectionError``;
- an HTTP error status is retried when ``_should_retry`` says so: an ``x-should-retry: true|false`` header decides
  first, otherwise 408, 409, 429 and every status >= 500 are retried; other statuses raise at once;
- ``_calculate_retry_timeout`` waits what ``retry-after-ms`` or ``retry-after`` (seconds, or an HTTP date) asks
  when that is more than 0 and at most 60 s, and otherwise backs off 0.5 s x 2^n, capped at 8 s, minus up to
  25 % jitter.

So this client adds no retry loop: ``max_retries`` (the SDK's, default 2) is the whole policy, and ``timeout``
bounds each attempt, not the sum of them (the chain's total deadline does that).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import groq

from core.llm.call import call_completion
from core.llm.errors import ErrorContext
from core.llm.reasoning import reasoning_params
from core.llm.types import Completion, CompletionRequest
from core.llm.wire import chat_messages

if TYPE_CHECKING:
    from groq.types.chat import ChatCompletion, ChatCompletionMessageParam

__all__ = ["GroqClient"]


class GroqClient:
    """One ``AsyncGroq`` (one connection pool) per instance; build it once per process and ``aclose()`` it.

    ``base_url`` None means the SDK's default, which honours ``GROQ_BASE_URL``. For reasoning models (gpt-oss,
    qwen3, QwQ, deepseek-r1) the hidden reasoning is switched off in the response and ``reasoning_headroom``
    tokens are added to ``max_completion_tokens`` so the thinking does not starve the visible answer. Groq counts
    that budget against the tokens-per-minute limit, so keep the headroom modest on free plans.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        reasoning_headroom: int = 2048,
    ) -> None:
        if reasoning_headroom < 0:
            raise ValueError("reasoning_headroom must be 0 or more")
        self._client = groq.AsyncGroq(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)
        self._headroom = reasoning_headroom
        self._context = ErrorContext(
            provider="Groq", key_setting="GROQ_API_KEY", base_url_setting="GROQ_BASE_URL", timeout=timeout, sdk=groq
        )

    def __repr__(self) -> str:
        return f"GroqClient(base_url={str(self._client.base_url)!r}, max_retries={self._client.max_retries})"

    async def complete(self, request: CompletionRequest) -> Completion:
        return await call_completion(self._create(request), model=request.model, context=self._context)

    async def _create(self, request: CompletionRequest) -> ChatCompletion:
        reasoning = reasoning_params(request.model)
        include = reasoning.include_reasoning
        return await self._client.chat.completions.create(
            model=request.model,
            messages=cast("list[ChatCompletionMessageParam]", chat_messages(request)),
            temperature=request.temperature,
            max_completion_tokens=request.max_tokens + (self._headroom if reasoning.reasons else 0),
            response_format={"type": "json_object"} if request.json_mode else groq.omit,
            include_reasoning=include if include is not None else groq.omit,
            reasoning_format=reasoning.reasoning_format or groq.omit,
        )

    async def aclose(self) -> None:
        await self._client.close()
