"""One chat-completion call through an SDK: timed, its errors mapped, its answer read."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable
from typing import Any

from core.errors import LLMServerError
from core.llm.errors import ErrorContext, to_llm_error
from core.llm.types import Completion
from core.llm.wire import completion_from

__all__ = ["call_completion", "not_json"]

log = logging.getLogger(__name__)


async def call_completion(call: Awaitable[Any], *, model: str, context: ErrorContext) -> Completion:
    """Await ``call`` (the SDK's ``chat.completions.create(...)``); latency covers the SDK's retries too."""
    start = time.perf_counter()
    try:
        response = await call
    except context.sdk.APIError as exc:
        raise to_llm_error(exc, model=model, context=context) from exc
    except (json.JSONDecodeError, UnicodeDecodeError):  # the SDK read a body that says it is JSON but is not
        raise not_json(model, context) from None
    if isinstance(response, str):  # the SDK's answer to a body of another content type
        raise not_json(model, context)
    latency = time.perf_counter() - start
    completion = completion_from(response, latency=latency)
    if completion is None:
        raise LLMServerError(f"{context.subject} returned no answer for `{model}`.")
    usage = completion.usage
    log.debug(
        "%s %s: %.3f s, %d+%d tokens, finish %s",
        context.provider,
        model,
        latency,
        usage.prompt_tokens,
        usage.completion_tokens,
        completion.finish_reason,
    )
    return completion


def not_json(model: str, context: ErrorContext) -> LLMServerError:
    """A reply that is not JSON at all, such as the HTML page of a proxy or gateway in front of the API."""
    log.warning("%s answered a call for %s with a body that is not JSON", context.subject, model)
    return LLMServerError(
        f"{context.subject} sent a reply that is not JSON (a proxy's error page?); "
        f"try again shortly, and check {context.base_url_setting} if it goes on."
    )
