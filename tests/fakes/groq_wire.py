"""Groq's wire format for the fake server: scripted outcomes, error bodies, request checks and completions.

Pure functions of the request body; :mod:`tests.fakes.groq_server` serves them. See its docstring.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from tests.fakes.groq_schema import follows, schema_format, schema_refusal

__all__ = [
    "DECOMMISSIONED",
    "FAKE_API_KEY",
    "MODELS",
    "PROXY_PAGE",
    "Drop",
    "ErrorReply",
    "Hang",
    "Outcome",
    "Reply",
    "Responder",
    "completion",
    "default_error_body",
    "error_body",
    "reasoning_mode",
    "refusal",
    "stream_chunks",
]

FAKE_API_KEY = "gsk_fake_0123456789abcdefghijklmnopqrstuvwxyz"
MODELS = (
    "openai/gpt-oss-120b",
    "openai/gpt-oss-20b",
    "qwen/qwen3-32b",
    "meta-llama/llama-4-scout-17b-16e-instruct",
    "moonshotai/kimi-k2-instruct-0905",
)
DECOMMISSIONED = ("gemma2-9b-it", "mixtral-8x7b-32768", "llama3-70b-8192", "deepseek-r1-distill-llama-70b")


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful completion. Token counts default to estimates (characters / 4)."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    delay: float = 0.0
    reasoning: str | None = None
    finish_reason: str = "stop"
    # streamed requests only (``"stream": true``): the content and reasoning pieces, one chunk each (None: about
    # one token, 4 characters, per chunk); ``break_after``: close the connection after that many ``data:`` lines;
    # ``write_size``: write the event stream in slices of that many bytes (a multi-byte character may straddle two)
    pieces: tuple[str, ...] | None = None
    reasoning_pieces: tuple[str, ...] | None = None
    break_after: int | None = None
    write_size: int | None = None


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """An HTTP reply other than a completion. ``body`` None means Groq's usual body for ``status``; a str is sent
    as plain text, or as the ``content-type`` in ``headers`` (a proxy's HTML page, a JSON type on a broken body).
    """

    status: int
    body: Mapping[str, Any] | str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Hang:
    """Never answer: the request stays open until the client times out or the fake stops."""


@dataclass(frozen=True, slots=True)
class Drop:
    """Read the request, then close the connection without answering (a proxy or server that gave up)."""

    delay: float = 0.0


Outcome = Reply | ErrorReply | Hang | Drop
Responder = Callable[[dict[str, Any]], "Outcome | str"]


PROXY_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"
)


def error_body(message: str, *, kind: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind}
    if code is not None:
        error["code"] = code
    return {"error": error}


def default_error_body(status: int, model: str) -> dict[str, Any]:
    if status == 401:
        return error_body("Invalid API Key", code="invalid_api_key")
    if status == 404:
        return model_not_found(model)
    if status == 413:
        return too_large(model, limit=8000, requested=9000)
    if status == 429:
        return error_body(
            f"Rate limit reached for model `{model}` in organization `org_fake` service tier `on_demand` on "
            "tokens per minute (TPM): Limit 8000, Used 7000, Requested 2000. Please try again in 1s.",
            kind="tokens",
            code="rate_limit_exceeded",
        )
    if status >= 500:
        return error_body(HTTPStatus(status).phrase, kind="internal_server_error")
    return error_body(HTTPStatus(status).phrase)


def model_not_found(model: str) -> dict[str, Any]:
    return error_body(f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found")


def too_large(model: str, *, limit: int, requested: int) -> dict[str, Any]:
    return error_body(
        f"Request too large for model `{model}` in organization `org_fake` service tier `on_demand` on tokens per "
        f"minute (TPM): Limit {limit}, Requested {requested}, please reduce your message size and try again.",
        kind="tokens",
        code="rate_limit_exceeded",
    )


def _tokens(text: str) -> int:
    return (len(text) + 3) // 4


def _prompt_tokens(body: dict[str, Any]) -> int:
    return sum(4 + _tokens(str(m.get("content") or "")) for m in body.get("messages") or [] if isinstance(m, dict))


def _budget(body: dict[str, Any]) -> int | None:
    value = body.get("max_completion_tokens") or body.get("max_tokens")
    return value if isinstance(value, int) else None


def _json_mode(body: dict[str, Any]) -> bool:
    fmt = body.get("response_format")
    return isinstance(fmt, dict) and fmt.get("type") == "json_object"


def _json_out(body: dict[str, Any]) -> bool:
    """JSON mode or Structured Outputs: either way the answer must be JSON."""
    return _json_mode(body) or schema_format(body) is not None


def _family(model: str) -> str | None:
    name = model.lower()
    if "gpt-oss" in name:
        return "gpt-oss"
    if any(tag in name for tag in ("qwen3", "qwq", "deepseek-r1")):
        return "think"
    return None


_EFFORTS: dict[str | None, tuple[str, ...]] = {"gpt-oss": ("low", "medium", "high"), "think": ("none", "default")}


def reasoning_mode(body: dict[str, Any]) -> str | dict[str, Any]:
    """How reasoning is shown (``parsed``, ``raw`` or ``hidden``), or Groq's 400 body for a refused combination."""
    family, include, fmt = _family(str(body["model"])), body.get("include_reasoning"), body.get("reasoning_format")
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in _EFFORTS.get(family, ()):
        return error_body("`reasoning_effort` is not supported with this model or has an unknown value.")
    if include is not None and fmt is not None:
        return error_body("`include_reasoning` and `reasoning_format` are mutually exclusive.")
    if family is None and (include is not None or fmt is not None):
        return error_body("`reasoning_format` and `include_reasoning` are not supported with this model.")
    if family == "gpt-oss":
        if fmt is not None:
            return error_body("`reasoning_format` is not supported with this model; use `include_reasoning`.")
        return "hidden" if include is False else "parsed"
    if include is not None:
        return "parsed" if include else "hidden"
    if fmt == "raw" and _json_out(body):
        return error_body("`reasoning_format` `raw` is not supported with JSON mode.")
    return str(fmt or ("parsed" if _json_out(body) else "raw"))


def _cut(reply: Reply, budget: int | None, mode: str) -> tuple[str, str, str]:
    """(content, reasoning, finish_reason) after the completion budget is spent on reasoning first."""
    reasoning, text, finish = reply.reasoning or "", reply.text, reply.finish_reason
    if budget is not None and _tokens(reasoning) + _tokens(text) > budget:
        left = max(0, budget - _tokens(reasoning))
        reasoning, text, finish = reasoning[: budget * 4], text[: left * 4], "length"
    if reasoning and mode == "raw":
        text = f"<think>\n{reasoning}\n</think>\n\n{text}"
    return text, reasoning, finish


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def refusal(
    body: Any, *, authorized: bool, models: tuple[str, ...], decommissioned: tuple[str, ...], tpm_limit: int | None
) -> tuple[int, dict[str, Any]] | None:
    """Groq's checks that come before the model runs: (status, body), or None to go on."""
    if not authorized:
        return 401, default_error_body(401, "")
    if not isinstance(body, dict) or not isinstance(body.get("model"), str) or not body.get("messages"):
        return 400, error_body("'model' and a non-empty 'messages' array are required.")
    model = body["model"]
    if model in decommissioned:
        message = f"The model `{model}` has been decommissioned and is no longer supported."
        return 400, error_body(message, code="model_decommissioned")
    if model not in models:
        return 404, model_not_found(model)
    texts = (str(m.get("content") or "") for m in body["messages"] if isinstance(m, dict))
    if _json_mode(body) and not any("json" in t.lower() for t in texts):
        message = (
            "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."
        )
        return 400, error_body(message)
    schema_refused = schema_refusal(body)
    if schema_refused is not None:
        return 400, error_body(schema_refused)
    requested = _prompt_tokens(body) + (_budget(body) or 0)
    if tpm_limit is not None and requested > tpm_limit:
        return 413, too_large(model, limit=tpm_limit, requested=requested)
    return None


def _json_failed(message: str, text: str) -> dict[str, Any]:
    failed = error_body(message, code="json_validate_failed")
    failed["error"]["failed_generation"] = text
    return failed


def _off_schema(body: dict[str, Any], text: str, finish: str) -> tuple[int, dict[str, Any]] | None:
    """A reply that misses the request's ``json_schema``: best effort is Groq's 400; strict mode cannot produce
    one (constrained decoding), so a script that asks for it is a broken test: a 500 the SDK does not retry. A
    reply cut by the budget comes back cut, as constrained decoding stops where the budget ends."""
    spec = schema_format(body)
    if spec is None or (finish == "length" and spec.get("strict") is True) or follows(text, spec["schema"]):
        return None
    if spec.get("strict") is True:
        message = "fake Groq: the scripted reply does not follow the strict json_schema; script one that does"
        return 500, error_body(message, kind="internal_server_error")
    return 400, _json_failed("Generated JSON does not match the expected schema. Please adjust your prompt.", text)


def completion(body: dict[str, Any], reply: Reply, mode: str) -> tuple[int, dict[str, Any]]:
    text, reasoning, finish = _cut(reply, _budget(body), mode)
    off_schema = _off_schema(body, text, finish)
    if off_schema is not None:
        return off_schema
    if _json_mode(body) and not _is_json_object(text):
        message = "Failed to generate JSON. Please adjust your prompt. See 'failed_generation' for more details."
        return 400, _json_failed(message, text)
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if reasoning and mode == "parsed":
        message["reasoning"] = reasoning
    prompt = reply.prompt_tokens if reply.prompt_tokens is not None else _prompt_tokens(body)
    spent = _tokens(reasoning) + _tokens(text) if reasoning else _tokens(text)
    completion = reply.completion_tokens if reply.completion_tokens is not None else spent
    prompt_time, completion_time = round(prompt / 20000, 6), round(completion / 500, 6)
    usage = {
        "queue_time": 0.0125,
        "prompt_tokens": prompt,
        "prompt_time": prompt_time,
        "completion_tokens": completion,
        "completion_time": completion_time,
        "total_tokens": prompt + completion,
        "total_time": round(prompt_time + completion_time, 6),
    }
    return 200, {
        "id": f"chatcmpl-{uuid.uuid4()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": usage,
        "system_fingerprint": "fp_fake",
        "x_groq": {"id": f"req_{uuid.uuid4().hex}"},
        "service_tier": "on_demand",
    }


def _split(text: str, pieces: tuple[str, ...] | None) -> list[str]:
    """The scripted pieces when they still join to ``text`` (not cut by the budget, no ``<think>`` added)."""
    if pieces is not None and "".join(pieces) == text:
        return [p for p in pieces if p]
    return [text[i : i + 4] for i in range(0, len(text), 4)]


def stream_chunks(body: dict[str, Any], reply: Reply, mode: str) -> tuple[int, dict[str, Any] | list[dict[str, Any]]]:
    """Groq's ``chat.completion.chunk`` events for ``reply`` (200 and the list), or the status and error body.

    The whole answer is made first by :func:`completion`, so every refusal (JSON mode, the budget cut) is the same
    as unstreamed and comes before the first event. See the server's docstring for where each rule comes from.
    """
    status, payload = completion(body, reply, mode)
    if status != 200:
        return status, payload
    message, choice = payload["choices"][0]["message"], payload["choices"][0]
    head = {k: payload[k] for k in ("id", "object", "created", "model", "system_fingerprint")}
    head["object"] = "chat.completion.chunk"
    request_id = payload["x_groq"]["id"]

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
        choices = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        return {**head, "choices": choices, **extra}

    chunks = [chunk({"role": "assistant", "content": ""}, x_groq={"id": request_id, "seed": 1234567})]
    reasoning = message.get("reasoning") or ""
    chunks += [chunk({"reasoning": p}) for p in _split(reasoning, reply.reasoning_pieces)]
    chunks += [chunk({"content": p}) for p in _split(message["content"], reply.pieces)]
    last = chunk({}, choice["finish_reason"], x_groq={"id": request_id, "usage": payload["usage"]})
    options = body.get("stream_options")
    if isinstance(options, dict) and options.get("include_usage") is True:
        last["usage"] = payload["usage"]
    chunks.append(last)
    return 200, chunks
