"""Record every provider response of an eval at the :class:`~core.llm.types.LLMClient` seam, and replay it offline.

What is kept is what the provider's answer became at that seam, exactly: each :class:`Completion` (text, reasoning,
usage with its token counts and Groq's timings, finish reason, the client's latency) and, for a streamed call, every
:class:`Delta` piece in order; or the :class:`~core.errors.LLMError` it raised (class, message and fields such as
``failed_generation`` or ``retry_after``). Strings are stored as JSON with ``\\u`` escapes, so every character
comes back identical (lone surrogates too), and numbers as JSON floats and integers, which read back to the same
values. A replayed call returns equal objects, so the strategies' code sees the same bytes of text it saw then.
Not kept: the HTTP exchange below the seam (headers, ids, SSE framing), which the SDKs parse before our code sees
it; so a replay checks the chains and the scoring, not the provider client.

Calls are keyed by a SHA-256 of the request as the strategies built it (model, messages, temperature, token
budget, JSON mode and every other :class:`CompletionRequest` field), with the kind of call. Identical requests
(``--n`` samples) are answered in the order they were recorded. A request that is not in the recording (other
settings or prompts than the recorded run) fails like a provider error and is counted in :attr:`ReplayLLM.misses`.

``calls.jsonl`` in the directory has one call a line::

    {"key": "<sha256>", "call": "complete", "model": "...", "seconds": 1.25, "completion": {...}}
    {"key": "...", "call": "stream", "model": "...", "seconds": 2.5, "deltas": [{...}], "completion": {...}}
    {"key": "...", "call": "complete", "model": "...", "seconds": 0.4, "error": {"type": "...", ...}}

``seconds`` is how long the call took here (the SDK's retry waits included); a replay adds it to the sample's
latency through :func:`call_time` instead of waiting, so a replayed run reports the recorded run's latencies
(plus the little time the replay itself takes).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal, TextIO

import core.errors
from core.errors import LLMError
from core.llm.types import Completion, CompletionRequest, Delta, LLMClient, Usage

__all__ = ["CALLS_FILE", "CallTime", "RecordingLLM", "ReplayLLM", "call_time", "request_key"]

CALLS_FILE = "calls.jsonl"

Call = Literal["complete", "stream"]


@dataclasses.dataclass(slots=True)
class CallTime:
    """Seconds of recorded calls a replay stood in for, in the sample that made them."""

    replayed: float = 0.0


_current: ContextVar[CallTime | None] = ContextVar("thinkbot_eval_call_time", default=None)


@contextlib.contextmanager
def call_time() -> Iterator[CallTime]:
    """Collect, for the block (and the tasks it starts), the recorded seconds a :class:`ReplayLLM` replays."""
    spent = CallTime()
    token = _current.set(spent)
    try:
        yield spent
    finally:
        _current.reset(token)


def request_key(call: Call, request: CompletionRequest) -> str:
    body = {"call": call, "request": dataclasses.asdict(request)}
    text = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _error_record(exc: LLMError) -> dict[str, Any]:
    fields = {k: v for k, v in vars(exc).items() if k != "message" and isinstance(v, str | int | float | None)}
    return {"type": type(exc).__name__, "message": exc.message, "fields": fields}


def _error_from(record: dict[str, Any]) -> LLMError:
    cls = getattr(core.errors, str(record.get("type")), None)
    message = str(record.get("message", ""))
    if isinstance(cls, type) and issubclass(cls, LLMError):
        try:
            error: LLMError = cls(message, **record.get("fields", {}))
        except TypeError:
            error = cls.__new__(cls)
            LLMError.__init__(error, message)
        return error
    return LLMError(message)


def _completion_from(record: dict[str, Any]) -> Completion:
    return Completion(**{**record, "usage": Usage(**record["usage"])})


class RecordingLLM:
    """``inner``, with every call's outcome appended to ``directory/calls.jsonl`` (created anew)."""

    def __init__(self, inner: LLMClient, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._inner = inner
        self._file: TextIO = (directory / CALLS_FILE).open("w", encoding="ascii")

    def _write(self, call: Call, request: CompletionRequest, began: float, **outcome: Any) -> None:
        line: dict[str, Any] = {"key": request_key(call, request), "call": call, "model": request.model}
        line |= {"seconds": time.monotonic() - began, **outcome}
        self._file.write(json.dumps(line, ensure_ascii=True) + "\n")
        self._file.flush()

    async def complete(self, request: CompletionRequest) -> Completion:
        began = time.monotonic()
        try:
            completion = await self._inner.complete(request)
        except LLMError as exc:
            self._write("complete", request, began, error=_error_record(exc))
            raise
        self._write("complete", request, began, completion=dataclasses.asdict(completion))
        return completion

    def stream(self, request: CompletionRequest) -> AsyncIterator[Delta | Completion]:
        return self._stream(request)

    async def _stream(self, request: CompletionRequest) -> AsyncIterator[Delta | Completion]:
        began = time.monotonic()
        deltas: list[dict[str, Any]] = []
        try:
            async for item in self._inner.stream(request):
                if isinstance(item, Completion):
                    self._write("stream", request, began, deltas=deltas, completion=dataclasses.asdict(item))
                else:
                    deltas.append(dataclasses.asdict(item))
                yield item
        except LLMError as exc:
            self._write("stream", request, began, deltas=deltas, error=_error_record(exc))
            raise

    def close(self) -> None:
        self._file.close()


class ReplayLLM:
    """Answers from ``directory/calls.jsonl`` alone: no network, no provider, no key."""

    def __init__(self, directory: Path) -> None:
        path = directory / CALLS_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: record a run with --record {directory} first")
        self._calls: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
        with path.open(encoding="ascii") as lines:
            for line in lines:
                if line.strip():
                    record = json.loads(line)
                    self._calls[record["key"]].append(record)
        self.misses = 0

    def _take(self, call: Call, request: CompletionRequest) -> dict[str, Any]:
        queue = self._calls.get(request_key(call, request))
        if not queue:
            self.misses += 1
            raise LLMError(f"The recording has no answer for this {call} call to `{request.model}`.")
        record = queue.popleft()
        spent = _current.get()
        if spent is not None:
            spent.replayed += float(record.get("seconds", 0.0))
        return record

    async def complete(self, request: CompletionRequest) -> Completion:
        record = self._take("complete", request)
        if "error" in record:
            raise _error_from(record["error"])
        return _completion_from(record["completion"])

    def stream(self, request: CompletionRequest) -> AsyncIterator[Delta | Completion]:
        return self._stream(request)

    async def _stream(self, request: CompletionRequest) -> AsyncIterator[Delta | Completion]:
        record = self._take("stream", request)
        for delta in record.get("deltas", []):
            yield Delta(**delta)
        if "error" in record:
            raise _error_from(record["error"])
        yield _completion_from(record["completion"])
