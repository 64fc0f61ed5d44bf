"""Logging for a deployed bot: one line per record, as text or JSON (``THINKBOT_LOG_FORMAT``), with chain ids.

Every line passes through a redactor that blanks the configured secrets and anything shaped like a Groq, Slack or
Discord token, so a library that logs a URL or a header cannot leak one. Core events are logged by
:class:`EventLog` at INFO with ids, counts and timings only: never the question or a step's text (DEBUG adds a
short excerpt of the question).

Third-party libraries log whole requests and payloads at DEBUG (the groq SDK every prompt, bolt and slack_sdk
Socket Mode envelopes with users' messages, discord.py gateway frames), and bolt resets its loggers' levels to the
root's whenever it builds one. So the handler itself, not the loggers' levels, keeps their lines out:
:class:`LibraryGate` drops every third-party record below INFO and cuts any payload-shaped span (a bracketed
structure longer than a few words) out of the rest.

At INFO a deployed bot says one line per chain event and what goes wrong, nothing per request: httpx and httpcore
(one "HTTP Request: POST ..." line per LLM call) log from WARNING up, and discord.py's two start-up notices that
voice is not supported (PyNaCl and davey are not installed; the bot never joins a voice channel) are dropped, as
is bolt's start-up warning that the token it read from SLACK_BOT_TOKEN is unused (our client carries it).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterable
from typing import Literal, TextIO

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step, StepDelta

__all__ = [
    "EventLog",
    "JsonFormatter",
    "LibraryGate",
    "Redactor",
    "TextFormatter",
    "configure_logging",
    "cut_payloads",
    "secret_values",
]

log = logging.getLogger(__name__)

_TOKEN_SHAPES = re.compile(
    r"gsk_[A-Za-z0-9]{8,}"  # Groq API keys
    r"|xox[abposr]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}"  # Slack tokens
    r"|[MNO][A-Za-z0-9_-]{22,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{25,}"  # Discord bot tokens
    r"|(?<=://)[^/\s:@]*:[^/\s@]+(?=@)"  # credentials inside URLs (redis://user:password@host)
)
REDACTED = "[redacted]"
_EXCERPT = 40
_OURS = ("bot", "adapters", "core", "bench", "tests", "__main__")
_PAYLOAD_CHARS = 60
"""A bracketed span longer than this in a library's line is taken for a payload and cut out."""
_LINE_CHARS = 500
_CLOSERS = {"{": "}", "[": "]", "(": ")"}
_QUIET = ("httpx", "httpcore")
"""Libraries that log every request at INFO: only their warnings are kept."""
_DROPPED = frozenset(
    {
        ("discord.client", "PyNaCl is not installed, voice will NOT be supported"),
        ("discord.client", "davey is not installed, voice will NOT be supported"),
        # bolt reads SLACK_BOT_TOKEN itself, then warns that the client we give it (built from that token) wins
        ("slack_bolt.AsyncApp", "As you gave `client` as well, `token` will be unused."),
    }
)
"""(logger, message) of library lines that are noise here, dropped whatever the level."""


def secret_values(*settings: BaseSettings | None) -> list[str]:
    """Every secret value of the given settings, except URLs: the redactor blanks the password inside any URL and
    keeps the host."""
    found: list[str] = []
    for part in settings:
        if part is None:
            continue
        values = (getattr(part, name) for name in type(part).model_fields)
        found += [v.get_secret_value() for v in values if isinstance(v, SecretStr)]
    return [s for s in found if s and "://" not in s]


def cut_payloads(text: str) -> str:
    """``text`` with every bracketed span longer than ``_PAYLOAD_CHARS`` replaced by ``{…}``; one pass, linear."""
    pieces: list[str] = []
    stack: list[tuple[str, int]] = []  # (closer, start) of the open brackets
    kept_to = 0
    for at, ch in enumerate(text):
        if ch in _CLOSERS:
            stack.append((_CLOSERS[ch], at))
        elif stack and ch == stack[-1][0]:
            _, start = stack.pop()
            if not stack and at + 1 - start > _PAYLOAD_CHARS and start >= kept_to:
                pieces += [text[kept_to:start], text[start] + "…" + ch]
                kept_to = at + 1
    if stack and len(text) - stack[0][1] > _PAYLOAD_CHARS:  # an unclosed payload runs to the end
        pieces += [text[kept_to : stack[0][1]], text[stack[0][1]] + "…"]
        kept_to = len(text)
    pieces.append(text[kept_to:])
    line = "".join(pieces)
    return line if len(line) <= _LINE_CHARS else line[: _LINE_CHARS - 1] + "…"


class LibraryGate(logging.Filter):
    """On the handler: third-party records below INFO are dropped, the rest lose their payload-shaped spans."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".", 1)[0] in _OURS:
            return True
        if record.levelno < logging.INFO:
            return False
        message = record.getMessage()
        if (record.name, message) in _DROPPED:
            return False
        cut = cut_payloads(message)
        if cut != message:
            record.msg, record.args = cut, None
        return True


class Redactor:
    """Blanks ``secrets`` (exact values) and token-shaped strings in a line of text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPES.sub(REDACTED, text)


class TextFormatter(logging.Formatter):
    """``brief``: no timestamp (the terminal's ``thinkbot ask``)."""

    def __init__(self, redact: Redactor, *, brief: bool = False) -> None:
        super().__init__(("" if brief else "%(asctime)sZ ") + "%(levelname)s %(name)s: %(message)s")
        self.converter = time.gmtime
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line = self._redact(super().format(record))
        return line.replace("\n", "\\n")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, chain_id (when the record has one), exc."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.converter = time.gmtime
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
        }
        for key in ("chain_id", "event"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self._redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`configure_logging` installs, told apart from handlers others put on the root."""


def configure_logging(
    *,
    level: str,
    fmt: Literal["text", "json", "brief"],
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) in ``fmt`` (``brief``: text without timestamps), redacted and
    through the :class:`LibraryGate`; returns the handler (tests remove it)."""
    handler = _OurHandler(stream or sys.stderr)
    redact = Redactor(secrets)
    handler.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact, brief=fmt == "brief"))
    handler.addFilter(LibraryGate())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)  # configured again (tests): one handler of ours at a time, others' left alone
    root.addHandler(handler)
    root.setLevel(level)
    # The gate drops their DEBUG lines anyway; raising their levels also spares building them.
    floor = max(logging.INFO, root.getEffectiveLevel())
    for name in ("discord", "slack_bolt", "slack_sdk", "groq", "openai", "aiohttp", "asyncio"):
        logging.getLogger(name).setLevel(floor)
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, floor))
    return handler


class EventLog:
    """Logs each core event as one line with its chain id; the question shows only at DEBUG, cut short."""

    def observe(self, event: Event) -> None:
        extra = {"chain_id": event.chain_id, "event": type(event).__name__}
        if isinstance(event, ChainStarted):
            log.info(
                "chain %s started: strategy=%s model=%s cached=%s question_chars=%d",
                event.chain_id, event.strategy, event.model, event.cached, len(event.question), extra=extra,
            )  # fmt: skip
            log.debug("chain %s question: %.*s", event.chain_id, _EXCERPT, event.question, extra=extra)
        elif isinstance(event, Step):
            log.info(
                "chain %s step %d: %.2fs tokens=%d cached=%s",
                event.chain_id, event.index, event.elapsed, event.usage.total_tokens, event.cached, extra=extra,
            )  # fmt: skip
        elif isinstance(event, StepDelta):  # many per step: only at DEBUG, and only its size
            log.debug("chain %s step %d: +%d chars", event.chain_id, event.index, len(event.text), extra=extra)
        elif isinstance(event, FinalAnswer):
            log.info(
                "chain %s answered: steps=%d %.2fs tokens=%d cached=%s capped=%s",
                event.chain_id, event.steps, event.total_time, event.usage.total_tokens, event.cached, event.capped,
                extra=extra,
            )  # fmt: skip
        elif isinstance(event, ChainFailed):
            log.info("chain %s failed: kind=%s steps=%d", event.chain_id, event.kind, len(event.steps), extra=extra)
        elif isinstance(event, ChainQueued):
            log.info("chain %s queued at position %d", event.chain_id, event.position, extra=extra)
