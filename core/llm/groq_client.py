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

Speed, measured against the fake in another process with 200 chains of 7 nine-message calls in flight (client CPU
per call): the SDK's defaults (httpx transport, ``chat.completions.create``) about 11 ms; the SDK's aiohttp
transport (``groq[aiohttp]``, which the SDK recommends for concurrency) about 5 ms, as httpx's pool bookkeeping
grows with the connections and it keeps only 20 alive; and sending the body with ``AsyncGroq.post(path,
cast_to=ChatCompletion, body=...)``, the SDK's documented way to send a body as is, about 1.5 ms, as ``create``
walks every message against its TypedDicts to change nothing in our plain strings. ``post`` keeps the same path,
headers, retries, errors and parsed ``ChatCompletion``; the wire body is pinned by tests against the fake.

What the calls still paid for and did not use (``bench/llm_cpu.py``, 200 chains at once; CPU per call against a raw
aiohttp POST of the same body): the typed ``ChatCompletion``, built field by field by the SDK's pydantic
``construct`` for the four fields :func:`core.llm.wire.completion_from` reads. So the reply is asked for with
``cast_to=httpx.Response``, the SDK's documented raw access (its README, "Undocumented endpoints"): the same
request, retries and status errors, the body read once and parsed with ``json.loads`` into the dict that
``completion_from`` reads like the typed object. The path is posted as the absolute URL (built once from the
client's ``base_url`` as the SDK joins them), so the SDK does not join the two on every call, and httpx reads a
response's cookies only when it sets one (:class:`_CookiesWhenSet`).

Then (``python -m bench.llm_cpu --profile engine``, own time by package): httpx 27 %, aiohttp 18 %, built-ins
17 % (mostly the SDK's and httpx's isinstance and bytes decoding), asyncio 9 %, groq 6 %, pydantic 2.5 %. Part of
httpx's share was the SDK's aiohttp adapter (``httpx_aiohttp``) handing aiohttp an ``httpx.Headers``, whose every
item is decoded after an encoding guess, and streaming a body it had in hand through httpx's readers. So:

- the SDK's ``http_client`` is a plain ``httpx.AsyncClient`` over :class:`core.llm.transport.AiohttpTransport`
  (the SDK's documented custom-client hook): headers to aiohttp as plain pairs, the body read whole there so
  httpx's read is a no-op; the same request on the wire (a test compares it with the SDK's own aiohttp
  client's), pooled keep-alive connections, httpx's timeouts, aiohttp's errors mapped to the httpx ones the SDK
  retries;
- ``post`` gets the per-request options it would otherwise default (headers, params, max_retries and timeout:
  the client's own values) through its ``options`` argument, built once, so pydantic does not copy defaults into
  every request's options.

Together about 5 to 10 % of a call's CPU (``complete``, in one process, rounds interleaved: 0.90 -> 0.87 ms best,
1.00 -> 0.90 ms median). What stays is the SDK's and httpx's own per-call work (the options model and two copies
of it, header merging, URL parsing, ``httpx.Request``, ``send``'s auth and redirect steps): 0.25 to 0.3 ms a call
over a transport that does nothing, as much as a whole raw aiohttp POST.

Streaming goes through the same ``post`` with ``"stream": true``, ``stream=True`` and ``stream_cls=
AsyncStream[ChatCompletionChunk]`` (what ``create(stream=True)`` does inside): the same retries until the first
event, then :mod:`core.llm.stream`. Groq puts the usage in the last chunk's ``x_groq.usage``, so no
``stream_options`` is sent.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import groq
import httpx
from groq import RequestOptions
from groq.types.chat import ChatCompletionChunk

from core.llm.call import call_completion
from core.llm.errors import ErrorContext
from core.llm.reasoning import Effort, reasoning_params
from core.llm.stream import stream_completion
from core.llm.structured import Format, ResponseFormats, StructuredOutputs
from core.llm.transport import AiohttpTransport
from core.llm.types import Completion, CompletionRequest, Delta
from core.llm.wire import chat_messages

__all__ = ["GroqClient"]

_CHAT_PATH = "/openai/v1/chat/completions"  # where AsyncGroq.chat.completions.create posts


class _CookiesWhenSet(httpx.Cookies):
    """httpx's cookie store over the same jar, reading a response's cookies only when it sets one.

    httpx hands every response to ``extract_cookies``, which wraps it and its request in urllib's types for
    ``http.cookiejar`` whether or not there is a cookie to read: about a tenth of a call's CPU here. A response with
    ``Set-Cookie`` is read as before, so a cookie Groq sets is still sent back.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class GroqClient:
    """One ``AsyncGroq`` (one connection pool) per instance; build it once per process and ``aclose()`` it.

    ``base_url`` None means the SDK's default, which honours ``GROQ_BASE_URL``. For reasoning models (gpt-oss,
    qwen3, QwQ, deepseek-r1) the hidden reasoning is switched off in the response and ``reasoning_headroom``
    tokens are added to ``max_completion_tokens`` so the thinking does not starve the visible answer;
    ``reasoning_effort`` bounds how long gpt-oss models think. Groq counts
    that budget against the tokens-per-minute limit, so keep the headroom modest on free plans.

    ``max_connections`` caps the aiohttp pool, all of whose connections are kept alive between calls.
    ``structured_outputs`` is the setting that picks ``json_schema``, JSON mode or neither per model
    (:mod:`core.llm.structured`; None: the model table decides).
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        reasoning_headroom: int = 2048,
        max_connections: int = 100,
        reasoning_effort: Effort | None = None,
        structured_outputs: StructuredOutputs | None = None,
    ) -> None:
        if reasoning_headroom < 0:
            raise ValueError("reasoning_headroom must be 0 or more")
        transport = AiohttpTransport(max_connections=max_connections)
        http_client = httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=True)
        http_client._cookies = _CookiesWhenSet(http_client.cookies.jar)  # the store behind httpx's ``cookies``
        self._client = groq.AsyncGroq(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries, http_client=http_client
        )
        base = self._client.base_url  # its path ends in "/"; the SDK joins a relative path to it this way per call
        self._chat_url = str(base.copy_with(raw_path=base.raw_path + _CHAT_PATH.lstrip("/").encode()))
        # What ``post`` would default per call, given once (the same values: the client's own).
        self._options: RequestOptions = {
            "headers": {},
            "params": {},
            "max_retries": self._client.max_retries,
            "timeout": self._client.timeout,
        }
        self._headroom = reasoning_headroom
        self._effort = reasoning_effort
        self._formats = ResponseFormats(structured_outputs)
        self._context = ErrorContext(
            provider="Groq", key_setting="GROQ_API_KEY", base_url_setting="GROQ_BASE_URL", timeout=timeout, sdk=groq
        )

    def __repr__(self) -> str:
        return f"GroqClient(base_url={str(self._client.base_url)!r}, max_retries={self._client.max_retries})"

    async def complete(self, request: CompletionRequest) -> Completion:
        async def send(response_format: Format) -> Completion:
            call = self._create(self._body(request, response_format))
            return await call_completion(call, model=request.model, context=self._context)

        return await self._formats.call(request, send)

    async def _create(self, body: dict[str, object]) -> Any:
        """The reply's JSON body, parsed once (a dict, or whatever else the body holds). A body that is not JSON
        raises ``ValueError`` (``json.JSONDecodeError``, ``UnicodeDecodeError``), which the caller maps."""
        response = await self._client.post(self._chat_url, cast_to=httpx.Response, body=body, options=self._options)
        return json.loads(response.content)

    def stream(self, request: CompletionRequest) -> AsyncIterator[Delta | Completion]:
        body = {**self._body(request, self._formats.choose(request, stream=True)), "stream": True}

        async def open_stream() -> groq.AsyncStream[ChatCompletionChunk]:
            return await self._client.post(
                self._chat_url,
                cast_to=ChatCompletionChunk,
                body=body,
                options=self._options,
                stream=True,
                stream_cls=groq.AsyncStream[ChatCompletionChunk],
            )

        retries = self._client.max_retries
        return stream_completion(open_stream, model=request.model, context=self._context, retries=retries)

    def _body(self, request: CompletionRequest, response_format: Format) -> dict[str, object]:
        reasoning = reasoning_params(request.model, effort=self._effort, show=request.reasoning)
        body: dict[str, object] = {
            "model": request.model,
            "messages": chat_messages(request),
            "temperature": request.temperature,
            "max_completion_tokens": request.max_tokens + (self._headroom if reasoning.reasons else 0),
        }
        if response_format is not None:
            body["response_format"] = response_format
        if reasoning.include_reasoning is not None:
            body["include_reasoning"] = reasoning.include_reasoning
        if reasoning.reasoning_format is not None:
            body["reasoning_format"] = reasoning.reasoning_format
        if reasoning.reasoning_effort is not None:
            body["reasoning_effort"] = reasoning.reasoning_effort
        return body

    async def aclose(self) -> None:
        await self._client.close()
