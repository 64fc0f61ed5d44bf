"""What both SDK clients share: the messages they send and how a chat completion becomes a :class:`Completion`."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from core.llm.types import Completion, CompletionRequest, Usage
from core.text import safe_text

__all__ = ["ChunkParts", "chat_messages", "chunk_parts", "completion_from", "strip_think", "usage_from"]

_THINK = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)


def chat_messages(request: CompletionRequest) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in request.messages]


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _float(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _field(value: object, name: str) -> object:
    """``name`` of an SDK object, or of a JSON object parsed as a dict (None when absent)."""
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def usage_from(usage: Any) -> Usage:
    """Token counts, and Groq's timing fields where the provider sends them (0.0 elsewhere)."""
    if usage is None:
        return Usage()
    return Usage(
        prompt_tokens=_int(_field(usage, "prompt_tokens")),
        completion_tokens=_int(_field(usage, "completion_tokens")),
        queue_time=_float(_field(usage, "queue_time")),
        prompt_time=_float(_field(usage, "prompt_time")),
        completion_time=_float(_field(usage, "completion_time")),
        total_time=_float(_field(usage, "total_time")),
    )


def completion_from(response: Any, *, latency: float) -> Completion | None:
    """The first choice of a chat completion, or None when there is no choice to read.

    ``response`` is an SDK's parsed object or the response body parsed as JSON (a dict): both read alike, so a
    client may skip the SDK's typed model. The text is where model output enters the core, so it is made safe here
    (:func:`core.text.safe_text`): a lone surrogate or a NUL, both legal JSON escapes, never reaches a writer. A
    content that is not a string reads as "".
    """
    choices = _field(response, "choices") or []
    if not isinstance(choices, list) or not choices:
        return None
    choice = choices[0]
    message = _field(choice, "message")
    finish = _field(choice, "finish_reason")
    return Completion(
        text=_text(_field(message, "content")),
        usage=usage_from(_field(response, "usage")),
        latency=latency,
        finish_reason=finish if isinstance(finish, str) else None,
        reasoning=_reasoning(message),
    )


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _text(value: object) -> str:
    return safe_text(value) if isinstance(value, str) else ""


def _reasoning(message: object) -> str:
    """Groq's ``reasoning``; ``reasoning_content`` where other OpenAI-compatible servers put it."""
    return _text(_field(message, "reasoning")) or _text(_field(message, "reasoning_content"))


class ChunkParts(NamedTuple):
    """What one streamed ``chat.completion.chunk`` carries. The text is raw: :class:`core.llm.stream.SafePieces`
    makes it safe, since a ``\r\n`` or a surrogate pair may straddle two chunks."""

    text: str
    reasoning: str
    finish_reason: str | None
    usage: Usage | None


def chunk_parts(chunk: Any) -> ChunkParts:
    """The first choice's delta, its finish reason, and the usage (Groq: ``x_groq.usage``, else ``usage``)."""
    choices = getattr(chunk, "choices", None) or []
    choice = choices[0] if isinstance(choices, list) and choices else None
    delta = getattr(choice, "delta", None)
    finish = getattr(choice, "finish_reason", None)
    raw_usage = getattr(getattr(chunk, "x_groq", None), "usage", None) or getattr(chunk, "usage", None)
    reasoning = _str(getattr(delta, "reasoning", None)) or _str(getattr(delta, "reasoning_content", None))
    return ChunkParts(
        text=_str(getattr(delta, "content", None)),
        reasoning=reasoning,
        finish_reason=finish if isinstance(finish, str) else None,
        usage=usage_from(raw_usage) if raw_usage is not None else None,
    )


def strip_think(text: str) -> str:
    """Drop a leading ``<think>...</think>`` block (reasoning models served without Groq's reasoning_format)."""
    return _THINK.sub("", text, count=1)
