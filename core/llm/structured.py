"""Which ``response_format`` a request goes out with: Structured Outputs, JSON mode or none.

The model table (:mod:`core.llm.models`) decides, unless ``THINKBOT_STRUCTURED_OUTPUTS`` says otherwise, for all
models or some. Its value is one mode, or a comma-separated list of a default mode and ``model=mode`` items
(``auto,qwen/qwen3-32b=json``):

- ``auto`` (default): the table; ``json_schema`` strict or best effort where it says so, JSON mode elsewhere;
- ``strict`` / ``best-effort``: ``json_schema`` with ``strict`` true / false, whatever the table says (a model
  the table does not know yet, or an OpenAI-compatible server that takes schemas: vLLM, LM Studio, Ollama);
- ``json``: JSON mode (``{"type": "json_object"}``) only;
- ``off``: no ``response_format`` at all, for a server that refuses it; the prompt and the step repair remain.

A model that answers ``json_schema`` with a 400 about the format, despite the table, is asked again once with JSON
mode, and gets JSON mode for the rest of the process (:class:`ResponseFormats` remembers it; a warning is logged).
Streamed requests never carry ``json_schema``: Groq does not stream Structured Outputs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, get_args

from core.errors import ConfigError, LLMBadRequestError
from core.llm.models import structured_support
from core.llm.types import CompletionRequest

__all__ = ["Format", "Mode", "ResponseFormats", "StructuredOutputs"]

log = logging.getLogger(__name__)

Mode = Literal["auto", "strict", "best-effort", "json", "off"]
Format = dict[str, Any] | None
T = TypeVar("T")

_MODES: tuple[str, ...] = get_args(Mode)
_ABOUT_FORMAT = re.compile(r"json.?schema|response.?format", re.IGNORECASE)
_MEMORY = 64  # models remembered as refusing json_schema; a process serves a handful


@dataclass(frozen=True, slots=True)
class StructuredOutputs:
    """The setting: a default mode and per-model modes (lower-case ids)."""

    default: Mode = "auto"
    models: tuple[tuple[str, Mode], ...] = ()

    @classmethod
    def parse(cls, text: str) -> StructuredOutputs:
        default: Mode = "auto"
        models: dict[str, Mode] = {}
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            model, per_model, mode = item.rpartition("=")
            if mode.strip().lower() not in _MODES or (per_model and not model.strip()):
                raise ConfigError(
                    f"THINKBOT_STRUCTURED_OUTPUTS: {item[:80]!r} is not one of {', '.join(_MODES)}, "
                    "or model=mode (for example auto,qwen/qwen3-32b=json)."
                )
            checked: Mode = mode.strip().lower()  # type: ignore[assignment]
            if per_model:
                models[model.strip().lower()] = checked
            else:
                default = checked
        return cls(default=default, models=tuple(models.items()))

    def mode(self, model: str) -> Literal["strict", "best-effort", "json", "off"]:
        """The mode for ``model``, ``auto`` resolved through the table."""
        chosen = dict(self.models).get(model.strip().lower(), self.default)
        if chosen != "auto":
            return chosen
        support = structured_support(model)
        return "json" if support == "none" else support


class ResponseFormats:
    """One client's choice of ``response_format``, with the models seen refusing ``json_schema`` in this process."""

    def __init__(self, setting: StructuredOutputs | None = None) -> None:
        self.setting = setting or StructuredOutputs()
        self._refused: dict[str, None] = {}  # insertion-ordered, so the oldest is dropped first

    def choose(self, request: CompletionRequest, *, stream: bool = False) -> Format:
        """The ``response_format`` for ``request``, or None to send none."""
        if not request.json_mode and request.schema is None:
            return None
        mode = self.setting.mode(request.model)
        if mode == "off":
            return None
        schema = request.schema
        if schema is None or stream or mode == "json" or request.model.lower() in self._refused:
            return {"type": "json_object"}
        spec = {"name": schema.name, "schema": schema.schema, "strict": mode == "strict"}
        return {"type": "json_schema", "json_schema": spec}

    async def call(self, request: CompletionRequest, send: Callable[[Format], Awaitable[T]]) -> T:
        """``send(format)``; if the provider refuses a ``json_schema`` format, once more with JSON mode."""
        chosen = self.choose(request)
        try:
            return await send(chosen)
        except LLMBadRequestError as exc:
            if not (_is_schema(chosen) and _about_format(exc)):
                raise
            self._remember(request.model, exc)
        return await send(self.choose(request))

    def _remember(self, model: str, exc: LLMBadRequestError) -> None:
        log.warning(
            "%s; using JSON mode for %s from now on (set THINKBOT_STRUCTURED_OUTPUTS to choose)", exc.message, model
        )
        self._refused[model.lower()] = None
        while len(self._refused) > _MEMORY:
            del self._refused[next(iter(self._refused))]


def _is_schema(chosen: Format) -> bool:
    return chosen is not None and chosen.get("type") == "json_schema"


def _about_format(exc: LLMBadRequestError) -> bool:
    """Whether the provider's 400 is about the response format (not the messages, the model or anything else)."""
    cause = exc.__cause__
    body = getattr(cause, "body", None)
    inner = body.get("error", body) if isinstance(body, dict) else None
    message = inner.get("message") if isinstance(inner, dict) else None
    return getattr(cause, "status_code", None) == 400 and bool(_ABOUT_FORMAT.search(str(message or "")))
