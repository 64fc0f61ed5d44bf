"""How a Web API method refuses: Slack's error code, the HTTP status, and any extra response fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ApiError", "Failure", "refused"]


class ApiError(Exception):
    """Answered as ``{"ok": false, "error": error, **extra}`` with ``status`` (429 adds ``Retry-After``)."""

    def __init__(
        self, error: str, *, status: int = 200, retry_after: int | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.retry_after = retry_after
        self.extra = extra or {}


def refused(error: str, errors: Sequence[str] = ()) -> ApiError:
    """Slack's refusal ``error`` with its detail lines, which Slack sends as ``errors`` and in
    ``response_metadata.messages`` (none: neither field)."""
    detail = list(errors)
    return ApiError(error, extra={"errors": detail, "response_metadata": {"messages": detail}} if detail else {})


@dataclass(slots=True)
class Failure:
    """A failure a test asked for: the next ``times`` calls of ``method`` fail this way."""

    method: str
    error: str
    status: int = 200
    retry_after: int | None = None
    times: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def to_error(self) -> ApiError:
        return ApiError(self.error, status=self.status, retry_after=self.retry_after, extra=self.extra)
