"""A fake Groq chat-completions server that the real ``groq`` and ``openai`` SDKs can talk to.

It runs aiohttp in a background thread with its own event loop, bound to 127.0.0.1 on a free port, so async
tests, plain tests and subprocesses (the CLI) can all use it. Start and stop it as a context manager, or take
the ``fake_groq`` fixture from ``tests/conftest.py``::

    with FakeGroq() as fake:
        client = GroqClient(api_key=fake.api_key, base_url=fake.base_url, timeout=2, max_retries=2)
        # OpenAI SDK / OpenAICompatibleClient: base_url=fake.openai_base_url (".../v1")

Scripting: each chat request takes the next outcome from a FIFO queue; the helpers return the fake, so they chain::

    fake.reply('{"title": "t", "content": "c", "next_action": "continue"}')
    fake.reply("answer", delay=0.05, prompt_tokens=12, completion_tokens=3, reasoning="hidden thoughts")
    fake.error(429, retry_after=0.2)          # Groq-shaped body per status; body=/headers= override it
    fake.error(500).reply("recovered")
    fake.hang()                               # never answers, until the client gives up (or the fake stops)
    fake.drop()                               # reads the request, closes the connection without answering
    fake.proxy_page()                         # 200 with an HTML page (content_type= for another type)
    fake.respond_with(lambda body: "text")    # used when the queue is empty; may return a Reply/ErrorReply/Hang
    fake.error(200, {...})                    # any status with any body (a str is text/plain unless headers say)
    fake.push(Reply("x")); fake.pending; fake.reset()

With nothing queued and no responder, a request gets a 500 marked ``x-should-retry: false`` (so the SDK fails at
once) and ``fake.unscripted`` counts it.

Like Groq, and before any scripted outcome is used: a wrong or missing Bearer key gives 401 ``invalid_api_key``;
an unknown model 404 ``model_not_found``; a retired one (``decommissioned=``) 400 ``model_decommissioned``;
``response_format`` ``json_object`` without the word "json" in any message 400; ``tpm_limit=N`` (also settable on a
running fake: ``fake.tpm_limit = 500``) gives Groq's 413 (``type: tokens``, ``code: rate_limit_exceeded``)
when estimated prompt tokens plus the completion budget exceed N. In JSON mode a reply that is not a JSON object
becomes 400 ``json_validate_failed`` carrying ``failed_generation``. Structured Outputs (``response_format``
``json_schema``) as Groq documents them, per model, in :mod:`tests.fakes.groq_schema`: ``strict: true`` only on the
gpt-oss models and only with a strict-ready schema, best effort on a few more, 400 elsewhere; a best-effort reply
that misses the schema is 400 ``json_validate_failed``; a strict one must follow it (a script that does not is
answered 500, not retried, as constrained decoding could not produce it). A reply longer than ``max_completion_tokens``
(tokens estimated as characters / 4, hidden reasoning counted first) is cut with ``finish_reason="length"``.

Reasoning, as Groq does it: on ``gpt-oss`` models ``reasoning`` goes to ``message.reasoning`` unless
``include_reasoning`` is false (``reasoning_format`` is refused). On qwen3 / QwQ / deepseek-r1 models
``reasoning_format`` picks: ``raw`` (default; ``<think>`` tags in the content; refused with JSON mode, where the
default becomes ``parsed``), ``parsed`` (``message.reasoning``) or ``hidden``; ``include_reasoning`` true/false
means parsed/hidden; giving both is refused. Other models refuse both parameters.

Streaming, as Groq does it with ``"stream": true``: ``200 text/event-stream``, one ``data: {chunk}`` line and a
blank line per event, ending with ``data: [DONE]``. Each chunk is ``{"id", "object": "chat.completion.chunk",
"created", "model", "system_fingerprint", "choices": [{"index": 0, "delta": {...}, "logprobs": null,
"finish_reason": null}]}``; the first delta is ``{"role": "assistant", "content": ""}`` with ``x_groq: {"id",
"seed"}``; then ``delta.reasoning`` pieces (when reasoning is ``parsed``: gpt-oss with ``include_reasoning`` not
false, qwen3-type models with ``reasoning_format="parsed"``), then ``delta.content`` pieces (``raw`` mode puts the
``<think>`` block there); the last chunk has ``delta: {}``, the ``finish_reason`` and ``x_groq: {"id", "usage"}``,
and also a top-level ``usage`` when ``stream_options: {"include_usage": true}``. Every refusal above comes before
the stream, as a plain JSON error. Sources: the groq SDK's ``types/chat/chat_completion_chunk.py`` (groq 1.x: the
fields, ``delta.reasoning`` "when reasoning_format is parsed", ``x_groq.id`` only in the first and final chunk,
``x_groq.usage``, ``usage`` only with ``include_usage``); its ``_streaming.py`` (``[DONE]`` ends the stream);
Groq streams recorded by the fantasy project (providertests/testdata/TestGroqCommon/groq-kimi-k2-0905/
multi_tool_streaming.yaml: first chunk's role and empty content, ``logprobs: null``, the final chunk's usage);
``delta.reasoning`` for gpt-oss on Groq: console.groq.com/docs/reasoning as cited in lazy-hq/aisdk pull 123.
For tests: ``fake.reply(..., pieces=("Hel", "lo"))`` scripts the content pieces (``reasoning_pieces=`` likewise),
``break_after=N`` closes the connection after N events (no ``[DONE]``), ``write_size=N`` writes the stream N bytes
at a time.

Every request is recorded in order (``fake.requests``; ``fake.chat_requests`` for completions only) with its JSON
body, lower-cased headers with Authorization redacted, whether the key was right, and its arrival time on
``time.perf_counter``. ``record=False`` keeps no records, for benchmarks that measure memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.groq_wire import (
    DECOMMISSIONED,
    FAKE_API_KEY,
    MODELS,
    PROXY_PAGE,
    Drop,
    ErrorReply,
    Hang,
    Outcome,
    Reply,
    Responder,
    completion,
    default_error_body,
    error_body,
    reasoning_mode,
    refusal,
    stream_chunks,
)

__all__ = [
    "DECOMMISSIONED",
    "FAKE_API_KEY",
    "MODELS",
    "PROXY_PAGE",
    "Drop",
    "ErrorReply",
    "FakeGroq",
    "Hang",
    "Outcome",
    "RecordedRequest",
    "Reply",
    "Responder",
]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    body: Any
    headers: Mapping[str, str]
    authorized: bool
    at: float

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or []) if isinstance(self.body, dict) else []


class FakeGroq:
    """The fake server. Keyword-only options; see the module docstring for the behaviour."""

    def __init__(
        self,
        *,
        api_key: str = FAKE_API_KEY,
        models: tuple[str, ...] = MODELS,
        decommissioned: tuple[str, ...] = DECOMMISSIONED,
        tpm_limit: int | None = None,
        record: bool = True,
        responder: Responder | None = None,
    ) -> None:
        self.api_key = api_key
        self.models = models
        self.decommissioned = decommissioned
        self.tpm_limit = tpm_limit
        self.record = record
        self.unscripted = 0
        self._responder = responder
        self._lock = threading.Lock()
        self._queue: deque[Outcome] = deque()
        self._records: list[RecordedRequest] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._port = 0

    def __repr__(self) -> str:
        return f"FakeGroq(base_url={self.base_url!r}, pending={self.pending})"

    # -- scripting -------------------------------------------------------------------------------------------

    def reply(
        self,
        text: str,
        *,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        delay: float = 0.0,
        reasoning: str | None = None,
        finish_reason: str = "stop",
        pieces: tuple[str, ...] | None = None,
        reasoning_pieces: tuple[str, ...] | None = None,
        break_after: int | None = None,
        write_size: int | None = None,
    ) -> FakeGroq:
        reply = Reply(text, prompt_tokens, completion_tokens, delay, reasoning, finish_reason)
        extra = {"pieces": pieces, "reasoning_pieces": reasoning_pieces, "break_after": break_after}
        return self.push(dataclasses.replace(reply, **extra, write_size=write_size))

    def error(
        self,
        status: int,
        body: Mapping[str, Any] | str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
        delay: float = 0.0,
    ) -> FakeGroq:
        all_headers = dict(headers or {})
        if retry_after is not None:
            all_headers["retry-after"] = f"{retry_after:g}"
        return self.push(ErrorReply(status, body, all_headers, delay))

    def hang(self) -> FakeGroq:
        return self.push(Hang())

    def drop(self, *, delay: float = 0.0) -> FakeGroq:
        return self.push(Drop(delay))

    def proxy_page(self, status: int = 200, *, content_type: str = "text/html; charset=utf-8") -> FakeGroq:
        """What a proxy in front of the API may send instead of a completion: an HTML page, even with 200."""
        return self.error(status, PROXY_PAGE, headers={"content-type": content_type})

    def push(self, outcome: Outcome) -> FakeGroq:
        with self._lock:
            self._queue.append(outcome)
        return self

    def respond_with(self, responder: Responder | None) -> FakeGroq:
        """Answer with ``responder(request_body)`` whenever the queue is empty (None: stop doing so)."""
        self._responder = responder
        return self

    def reset(self) -> None:
        """Forget queued outcomes, the responder and the recorded requests."""
        with self._lock:
            self._queue.clear()
            self._records.clear()
            self._responder = None
            self.unscripted = 0

    # -- inspection ------------------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._records)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        """For the groq SDK (it appends ``/openai/v1/...``)."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def openai_base_url(self) -> str:
        """For the openai SDK and any OpenAI-compatible client."""
        return f"http://127.0.0.1:{self._port}/v1"

    # -- lifecycle -------------------------------------------------------------------------------------------

    def __enter__(self) -> FakeGroq:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> FakeGroq:
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="fake-groq", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or not self._port:
            raise RuntimeError("the fake Groq server did not start")
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(10)
        self._thread = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        finally:
            self._ready.set()
            loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        app = web.Application()
        for prefix in ("/openai/v1", "/v1"):
            app.router.add_post(f"{prefix}/chat/completions", self._chat)
            app.router.add_get(f"{prefix}/models", self._models)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self._port = runner.addresses[0][1]
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            await runner.cleanup()

    # -- handlers --------------------------------------------------------------------------------------------

    async def _record(self, request: web.Request) -> tuple[RecordedRequest, Any]:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        headers = {k.lower(): v for k, v in request.headers.items()}
        authorized = headers.get("authorization") == f"Bearer {self.api_key}"
        if "authorization" in headers:
            headers["authorization"] = "Bearer [redacted]"
        record = RecordedRequest(request.method, request.path, body, headers, authorized, time.perf_counter())
        if self.record:
            with self._lock:
                self._records.append(record)
        return record, body

    async def _models(self, request: web.Request) -> web.Response:
        record, _ = await self._record(request)
        if not record.authorized:
            return web.json_response(default_error_body(401, ""), status=401)
        data = [
            {"id": m, "object": "model", "created": 1700000000, "owned_by": "fake", "active": True} for m in self.models
        ]
        return web.json_response({"object": "list", "data": data})

    async def _unknown(self, request: web.Request) -> web.Response:
        await self._record(request)
        message = f"Unknown request URL: {request.method} {request.path}. Please check the URL for typos."
        return web.json_response(error_body(message, code="unknown_url"), status=404)

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        record, body = await self._record(request)
        refused = refusal(
            body,
            authorized=record.authorized,
            models=self.models,
            decommissioned=self.decommissioned,
            tpm_limit=self.tpm_limit,
        )
        if refused is not None:
            return web.json_response(refused[1], status=refused[0])
        mode = reasoning_mode(body)
        if isinstance(mode, dict):
            return web.json_response(mode, status=400)
        outcome = self._next_outcome(body)
        if isinstance(outcome, Drop):
            await self._pause(outcome.delay)
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)  # never sent: the connection is gone
        return await self._answer(request, body, outcome, mode)

    def _next_outcome(self, body: dict[str, Any]) -> Outcome:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            responder = self._responder
            if responder is None:
                self.unscripted += 1
        if responder is None:
            message = "fake Groq: nothing scripted for this request (empty queue, no responder)"
            return ErrorReply(500, error_body(message, kind="internal_server_error"), {"x-should-retry": "false"})
        outcome = responder(body)
        return Reply(outcome) if isinstance(outcome, str) else outcome

    async def _pause(self, delay: float | None) -> None:
        """Wait ``delay`` seconds (None: until the fake stops), or less if the fake stops first."""
        assert self._stopping is not None
        if delay is None or delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)

    async def _answer(
        self, request: web.Request, body: dict[str, Any], outcome: Outcome, mode: str
    ) -> web.StreamResponse:
        assert self._stopping is not None
        assert not isinstance(outcome, Drop)
        await self._pause(None if isinstance(outcome, Hang) else outcome.delay)
        if isinstance(outcome, Hang) or self._stopping.is_set():
            return web.Response(status=503, text="fake Groq is stopping")
        if isinstance(outcome, ErrorReply):
            headers = dict(outcome.headers)
            payload = outcome.body if outcome.body is not None else default_error_body(outcome.status, body["model"])
            if isinstance(payload, str):
                return web.Response(status=outcome.status, text=payload, headers=headers)
            return web.json_response(dict(payload), status=outcome.status, headers=headers)
        headers = {"x-request-id": f"req_{uuid.uuid4().hex}"}
        if body.get("stream") is True:
            status, chunks = stream_chunks(body, outcome, mode)
            if isinstance(chunks, list):
                return await self._stream(request, chunks, outcome, headers)
            return web.json_response(chunks, status=status, headers=headers)
        status, payload = completion(body, outcome, mode)
        if status >= 500:  # a script the fake cannot serve (see groq_wire._off_schema): fail at once, no retries
            headers["x-should-retry"] = "false"
        return web.json_response(payload, status=status, headers=headers)

    async def _stream(
        self, request: web.Request, chunks: list[dict[str, Any]], reply: Reply, headers: dict[str, str]
    ) -> web.StreamResponse:
        """Server-Sent Events; with ``break_after`` the connection closes after that many events, mid-stream."""
        response = web.StreamResponse(status=200, headers={**headers, "content-type": "text/event-stream"})
        await response.prepare(request)
        events = [f"data: {json.dumps(c, ensure_ascii=False)}\n\n".encode() for c in chunks]
        broken = reply.break_after is not None
        events = events[: reply.break_after] if broken else [*events, b"data: [DONE]\n\n"]
        data = b"".join(events)
        size = reply.write_size or len(data) or 1
        for start in range(0, len(data), size):
            await response.write(data[start : start + size])
            if reply.write_size:
                await asyncio.sleep(0)  # let each slice go out on its own
        if broken:
            await asyncio.sleep(0.01)
            if request.transport is not None:
                request.transport.close()
            return response
        await response.write_eof()
        return response
