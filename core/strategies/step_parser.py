"""Turns one model reply into a g1 step, repairing what can be repaired.

Repaired here: code fences, prose around the object, trailing commas, key case, a title or next_action that is
missing or of the wrong type, content given as a list or object. Not repairable (raises :class:`StepParseError`):
no JSON object at all, or no content (nothing visible once made safe). Whatever the input, nothing but
``StepParseError`` escapes.

The reply is untrusted: every function here runs in linear time in its length (fences are found with
``str.find``, and the one regex cannot backtrack more than the run of whitespace after each comma), and the
decoded strings go through :mod:`core.text`, since JSON escapes can spell a lone surrogate or a NUL that the raw
reply did not contain. The title is one line (:func:`core.text.one_line`), the content :func:`core.text.safe_text`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from core.errors import StepParseError
from core.text import is_blank, one_line, safe_text

__all__ = ["ParsedStep", "parse_step"]

NextAction = Literal["continue", "final_answer"]

_FENCE = "```"
_FENCE_LANGUAGES = ("json", "JSON")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_FINAL_WORDS = {"final_answer", "final", "finalanswer", "final answer", "answer", "done", "finish", "stop"}
_TITLE_WORDS = 8
_END = object()


@dataclass(frozen=True, slots=True)
class ParsedStep:
    title: str
    content: str
    next_action: NextAction


def parse_step(text: str) -> ParsedStep:
    """Read one step from ``text`` or raise :class:`StepParseError` saying what was wrong."""
    try:
        data = _load_object(text)
        return _from_object(data)
    except StepParseError:
        raise
    except (ValueError, TypeError, RecursionError, MemoryError) as exc:
        raise StepParseError(f"the reply could not be read as a step ({type(exc).__name__})") from None


def _load_object(text: str) -> dict[str, Any]:
    for candidate in (*_fenced(text), text):
        data = _first_object(candidate)
        if data is not None:
            return data
    raise StepParseError("the reply was not a JSON object")


def _fenced(text: str) -> list[str]:
    """The bodies of the closed ``` fences in ``text``, in order, without a json language tag or leading space."""
    bodies: list[str] = []
    position = 0
    while (start := text.find(_FENCE, position)) >= 0:
        body = start + len(_FENCE)
        if text.startswith(_FENCE_LANGUAGES, body):
            body += len(_FENCE_LANGUAGES[0])
        end = text.find(_FENCE, body)
        if end < 0:
            break
        bodies.append(text[body:end].lstrip())
        position = end + len(_FENCE)
    return bodies


def _first_object(text: str) -> dict[str, Any] | None:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    body = text[start : end + 1]
    for attempt in (body, _TRAILING_COMMA.sub(r"\1", body)):
        try:
            data = json.loads(attempt)
        except ValueError:
            continue
        if isinstance(data, dict):
            return {str(k).strip().lower(): v for k, v in data.items()}
    return None


def _from_object(data: dict[str, Any]) -> ParsedStep:
    content = safe_text(_as_text(data.get("content")))
    if is_blank(content):
        raise StepParseError('the step had no "content"')
    title = one_line(_as_text(data.get("title"))) or _title_from(content)
    return ParsedStep(title=title, content=content, next_action=_next_action(data))


def _as_text(value: Any) -> str:
    """A string as is (trimmed); nested lists as their non-empty leaves, one per line; an object as JSON."""
    if isinstance(value, list):
        return "\n".join(leaf for leaf in _leaves(value) if leaf).strip()
    return _leaf(value)


def _leaves(value: list[Any]) -> list[str]:
    """The leaves of nested lists in order, each read once (no copy per level, however deep the nesting)."""
    leaves: list[str] = []
    stack: list[Any] = [iter(value)]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, list):
            stack.append(iter(item))
        else:
            leaves.append(_leaf(item))
    return leaves


def _leaf(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _title_from(content: str) -> str:
    words = one_line(content).split(" ", _TITLE_WORDS)
    title = " ".join(words[:_TITLE_WORDS])
    return title + ("…" if len(words) > _TITLE_WORDS else "")


def _next_action(data: dict[str, Any]) -> NextAction:
    raw = data.get("next_action", data.get("nextaction", data.get("next")))
    if isinstance(raw, str) and raw.strip().lower().replace("-", "_") in _FINAL_WORDS:
        return "final_answer"
    return "continue"
