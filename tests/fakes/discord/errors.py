"""Discord-shaped API errors: the handler raises, the middleware turns them into JSON responses."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "form_error", "max_length_error", "missing_permissions", "unknown"]


class ApiError(Exception):
    """An error response: HTTP status plus Discord's JSON ``{"code", "message", "errors"?}``."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def form_error(path: tuple[str | int, ...], code: str, message: str) -> ApiError:
    """50035 Invalid Form Body with the error nested at ``path`` the way Discord nests it."""
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path):
        errors = {str(key): errors}
    return ApiError(400, 50035, "Invalid Form Body", errors)


def max_length_error(path: tuple[str | int, ...], limit: int) -> ApiError:
    return form_error(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def missing_permissions() -> ApiError:
    return ApiError(403, 50013, "Missing Permissions")


_UNKNOWN = {
    "channel": (10003, "Unknown Channel"),
    "guild": (10004, "Unknown Guild"),
    "member": (10007, "Unknown Member"),
    "message": (10008, "Unknown Message"),
    "user": (10013, "Unknown User"),
    "webhook": (10015, "Unknown Webhook"),
    "emoji": (10014, "Unknown Emoji"),
    "interaction": (10062, "Unknown interaction"),
    "command": (10063, "Unknown application command"),
}


def unknown(kind: str) -> ApiError:
    code, message = _UNKNOWN[kind]
    return ApiError(404, code, message)
