"""The narrow seam between the chain and any LLM provider."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

__all__ = ["Completion", "CompletionRequest", "Delta", "LLMClient", "Message", "ResponseSchema", "Role", "Usage"]

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts and Groq's server-side timings (seconds) for one or more requests."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    queue_time: float = 0.0
    prompt_time: float = 0.0
    completion_time: float = 0.0
    total_time: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            queue_time=self.queue_time + other.queue_time,
            prompt_time=self.prompt_time + other.prompt_time,
            completion_time=self.completion_time + other.completion_time,
            total_time=self.total_time + other.total_time,
        )


@dataclass(frozen=True, slots=True)
class ResponseSchema:
    """A JSON Schema the reply should follow. Write it strict-ready (every object ``additionalProperties: false``,
    every property required) so a client may send it with ``strict`` true or false (:mod:`core.llm.structured`)."""

    name: str
    schema: dict[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """One chat-completion call, independent of the provider.

    ``json_mode`` asks for a JSON object; ``schema`` (which implies JSON) for one that follows it, sent as Structured
    Outputs where the model table and the setting allow, else as JSON mode: the caller still checks the reply.
    """

    model: str
    messages: tuple[Message, ...]
    temperature: float
    max_tokens: int
    json_mode: bool = False
    reasoning: bool = False  # return a reasoning model's reasoning (Completion.reasoning, Delta.reasoning)
    schema: ResponseSchema | None = None


@dataclass(frozen=True, slots=True)
class Completion:
    """What came back: the visible text, and the model's reasoning only when the request asked for it."""

    text: str
    usage: Usage = field(default_factory=Usage)
    latency: float = 0.0
    finish_reason: str | None = None
    reasoning: str = ""


@dataclass(frozen=True, slots=True)
class Delta:
    """A piece of a streamed answer, following the pieces before it: visible ``text`` and/or ``reasoning``."""

    text: str = ""
    reasoning: str = ""


class LLMClient(Protocol):
    """A provider. Raises only :class:`core.errors.LLMError` subclasses.

    ``stream`` yields :class:`Delta` pieces as the model writes them, then one :class:`Completion` (the joined text
    and reasoning, usage, finish reason) as its last item. A stream that breaks after a piece was yielded raises
    (the pieces are not sent again); one that breaks before may be retried by the client.
    """

    async def complete(self, request: CompletionRequest) -> Completion: ...

    def stream(self, request: CompletionRequest) -> AsyncIterator[Delta | Completion]: ...
