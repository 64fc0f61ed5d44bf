"""Logging for a deployed bot: one line per record, as text or JSON (``THINKBOT_LOG_FORMAT``), with chain ids.

Every line passes through a redactor that blanks the configured secrets and anything shaped like a Groq, Slack or
Discord token, so a library that logs a URL or a header cannot leak one. Core events are logged by
:class:`EventLog` at INFO with ids, counts and timings only: never the question or a step's text (DEBUG adds a
short excerpt of the question).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Iterable
from typing import Literal, TextIO

from core.events import ChainFailed, ChainQueued, ChainStarted, Event, FinalAnswer, Step

__all__ = ["EventLog", "JsonFormatter", "Redactor", "TextFormatter", "configure_logging"]

log = logging.getLogger(__name__)

_TOKEN_SHAPES = re.compile(
    r"gsk_[A-Za-z0-9]{8,}"  # Groq API keys
    r"|xox[abposr]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}"  # Slack tokens
    r"|[MNO][A-Za-z0-9_-]{22,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{25,}"  # Discord bot tokens
    r"|(?<=://)[^/\s:@]*:[^/\s@]+(?=@)"  # credentials inside URLs (redis://user:password@host)
)
REDACTED = "[redacted]"
_EXCERPT = 40


class Redactor:
    """Blanks ``secrets`` (exact values) and token-shaped strings in a line of text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPES.sub(REDACTED, text)


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)sZ %(levelname)s %(name)s: %(message)s")
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


def configure_logging(
    *, level: str, fmt: Literal["text", "json"], secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) in ``fmt``; returns the handler (tests remove it)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    redact = Redactor(secrets)
    handler.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # These log request URLs, payloads and tokens at DEBUG: never below INFO.
    floor = max(logging.INFO, root.getEffectiveLevel())
    for name in ("discord.http", "discord.webhook", "discord.gateway", "slack_bolt", "slack_sdk"):
        logging.getLogger(name).setLevel(floor)
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
        elif isinstance(event, FinalAnswer):
            log.info(
                "chain %s answered: steps=%d %.2fs tokens=%d cached=%s",
                event.chain_id, event.steps, event.total_time, event.usage.total_tokens, event.cached, extra=extra,
            )  # fmt: skip
        elif isinstance(event, ChainFailed):
            log.info("chain %s failed: kind=%s steps=%d", event.chain_id, event.kind, len(event.steps), extra=extra)
        elif isinstance(event, ChainQueued):
            log.info("chain %s queued at position %d", event.chain_id, event.position, extra=extra)
