"""One streamed chat-completion call through an SDK: its pieces made safe, its breaks mapped, its usage counted.

Errors come in two places. Before the first event, the SDK's own policy applies as for a plain call (its retries
of 408, 409, 429, 5xx and transport failures; then its exception, mapped by :func:`core.llm.errors.to_llm_error`).
During the events the SDKs retry nothing, and a connection that breaks escapes as a raw transport error
(``httpx.ReadError`` from httpx or from httpx-aiohttp's mapping of aiohttp's ``ClientPayloadError``, or an
unmapped aiohttp error), not one of their classes; an ``error`` event in the stream is the SDK's bare
``APIError``. Here those become the same :class:`core.errors.LLMError` kinds as a plain call: connection, timeout
or server, with one sentence and no traceback or key.

Retries, by choice: a stream that breaks before any piece was yielded is opened again, up to ``retries`` times,
with the SDK's backoff (0.5 s x 2^n, at most 8 s), since nothing reached the caller. One that breaks after a piece
was yielded fails: sending the answer again would repeat text the caller has already shown, and quietly dropping
the shown text would be worse. A stream that ends without a finish reason (no ``[DONE]``) counts as broken.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from core.errors import LLMConnectionError, LLMError, LLMServerError, LLMTimeoutError
from core.llm.call import not_json
from core.llm.errors import ErrorContext, server_says, to_llm_error
from core.llm.types import Completion, Delta, Usage
from core.llm.wire import chunk_parts
from core.text import safe_text

__all__ = ["SafePieces", "stream_completion"]

log = logging.getLogger(__name__)

OpenStream = Callable[[], Awaitable[Any]]  # the SDK's AsyncStream of chunks: async-iterable, with close()


class SafePieces:
    """Pieces of one text made safe (:func:`core.text.safe_text`) so that they join to the safe whole.

    A trailing ``\\r`` (maybe half of ``\\r\\n``) or high surrogate (maybe half of a pair) waits for the next piece.
    """

    def __init__(self) -> None:
        self._carry = ""

    def feed(self, piece: str) -> str:
        text = self._carry + piece
        keep = 1 if text and (text[-1] == "\r" or "\ud800" <= text[-1] <= "\udbff") else 0
        self._carry = text[len(text) - keep :]
        return safe_text(text[: len(text) - keep])

    def flush(self) -> str:
        text, self._carry = self._carry, ""
        return safe_text(text)


async def stream_completion(
    open_stream: OpenStream, *, model: str, context: ErrorContext, retries: int
) -> AsyncIterator[Delta | Completion]:
    """Yield :class:`Delta` pieces, then the :class:`Completion`; latency spans every attempt."""
    start = time.perf_counter()
    for attempt in range(retries + 1):
        stream = await _open(open_stream, model=model, context=context)
        texts, thoughts = SafePieces(), SafePieces()
        text: list[str] = []
        reasoning: list[str] = []
        finish: str | None = None
        usage: Usage | None = None
        error: LLMError | None = None
        try:
            iterator = aiter(stream)
            while True:
                try:
                    chunk = await anext(iterator)
                except StopAsyncIteration:
                    break
                except Exception as exc:  # noqa: BLE001 - raw transport errors escape the SDKs here; all mapped
                    error = _broken(exc, context=context, shown=bool(text or reasoning))
                    break
                parts = chunk_parts(chunk)
                delta = Delta(texts.feed(parts.text), thoughts.feed(parts.reasoning))
                finish, usage = parts.finish_reason or finish, parts.usage or usage
                if delta.text or delta.reasoning:
                    text.append(delta.text)
                    reasoning.append(delta.reasoning)
                    yield delta
        finally:
            await stream.close()
        if error is None and finish is None:
            error = _ended_early(context, shown=bool(text or reasoning))
        if error is None:
            tail = Delta(texts.flush(), thoughts.flush())
            if tail.text or tail.reasoning:
                text.append(tail.text)
                reasoning.append(tail.reasoning)
                yield tail
            latency = time.perf_counter() - start
            usage = usage or Usage()
            log.debug(
                "%s %s streamed: %.3f s, %d+%d tokens, finish %s",
                context.provider,
                model,
                latency,
                usage.prompt_tokens,
                usage.completion_tokens,
                finish,
            )
            yield Completion("".join(text), usage, latency, finish, "".join(reasoning))
            return
        if text or reasoning or attempt == retries:
            raise error
        log.warning(
            "%s broke a stream for %s before it began (%s); opening it again",
            context.subject,
            model,
            type(error).__name__,
        )
        await asyncio.sleep(min(8.0, 0.5 * 2**attempt))
    raise AssertionError("unreachable")  # pragma: no cover


async def _open(open_stream: OpenStream, *, model: str, context: ErrorContext) -> Any:
    try:
        return await open_stream()
    except context.sdk.APIError as exc:
        raise to_llm_error(exc, model=model, context=context) from exc
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise not_json(model, context) from None


def _midway(shown: bool) -> str:
    return " after part of the answer had arrived (not retried, so no text repeats)" if shown else ""


def _broken(exc: Exception, *, context: ErrorContext, shown: bool) -> LLMError:
    """The error for an exception raised while reading the events (the openai SDK wraps transport errors there as
    its ``APIConnectionError`` / ``APITimeoutError``; the groq SDK lets them through raw)."""
    ctx, sdk = context, context.sdk
    if isinstance(exc, TimeoutError | httpx.TimeoutException | sdk.APITimeoutError):
        return LLMTimeoutError(f"{ctx.subject} stopped sending the answer for {ctx.timeout:g} s{_midway(shown)}.")
    if isinstance(exc, sdk.APIError) and not isinstance(exc, sdk.APIConnectionError):  # an error event
        fields = exc.body if isinstance(exc.body, dict) else {"message": exc.message}
        return LLMServerError(f"{ctx.subject} reported an error mid-answer{_midway(shown)} ({server_says(fields)}).")
    if isinstance(exc, ValueError):  # a chunk that is not JSON, or not a chunk
        return LLMServerError(f"{ctx.subject} sent a streamed piece that could not be read{_midway(shown)}.")
    log.info("%s stream broke: %s", ctx.provider, type(exc).__name__)
    return LLMConnectionError(
        f"{ctx.subject} closed the connection mid-answer{_midway(shown)}; check the network and {ctx.base_url_setting}."
    )


def _ended_early(context: ErrorContext, *, shown: bool) -> LLMError:
    return LLMConnectionError(
        f"{context.subject} ended the stream before the answer was complete{_midway(shown)}; try again shortly."
    )
