"""Errors raised by the reasoning core.

Every error the core raises derives from :class:`ThinkbotError` and carries a ``kind`` (a short, stable
identifier adapters and scripts may switch on: a :class:`~core.kinds.FailureKind`) and a ``user_message`` (one
sentence a chat user can read).
No error text ever contains an API key or token.

    ThinkbotError
    ├── ConfigError                 a setting is missing or invalid (start-up stops)
    ├── InputError                  the question is empty, too long, or otherwise unusable
    ├── StepParseError              one model reply could not be read as a step (the chain repairs or re-asks)
    ├── ChainError                  the chain as a whole could not finish
    │   ├── MalformedOutputError    the model kept answering in an unreadable shape past the repair limit
    │   ├── EmptyAnswerError        the final answer showed nothing (empty, or only invisible characters)
    │   └── DeadlineExceededError   the chain ran past its total deadline
    └── LLMError                    the LLM provider refused or failed a request
        ├── LLMAuthError            401: the API key is wrong or revoked
        ├── ModelNotFoundError      404 / model_not_found / decommissioned: the model setting names no model
        ├── LLMRateLimitError       429 still after the retries; carries retry_after seconds when known
        ├── RequestTooLargeError    413: one request exceeds the account's tokens-per-minute limit
        ├── JSONValidateError       400 json_validate_failed; carries the model's failed_generation text
        ├── LLMBadRequestError      any other 400/422
        ├── LLMTimeoutError         the request timed out (after the retries)
        ├── LLMConnectionError      the provider could not be reached
        └── LLMServerError          5xx still after the retries

Two live outside this module: ``CodecError`` (core.codec) and ``StoreUnavailableError`` (core.state.guard), whose
``StoreBusyError`` is a full Redis connection pool, not an outage (admission refuses the request as ``busy``).
"""

from __future__ import annotations

from typing import ClassVar

from core.kinds import FailureKind

__all__ = [
    "ChainError",
    "ConfigError",
    "DeadlineExceededError",
    "EmptyAnswerError",
    "InputError",
    "JSONValidateError",
    "LLMAuthError",
    "LLMBadRequestError",
    "LLMConnectionError",
    "LLMError",
    "LLMRateLimitError",
    "LLMServerError",
    "LLMTimeoutError",
    "MalformedOutputError",
    "ModelNotFoundError",
    "RequestTooLargeError",
    "StepParseError",
    "ThinkbotError",
]


class ThinkbotError(Exception):
    """Root of every error the core raises."""

    kind: ClassVar[FailureKind] = FailureKind.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def user_message(self) -> str:
        return self.message


class ConfigError(ThinkbotError):
    kind = FailureKind.CONFIG


class InputError(ThinkbotError):
    kind = FailureKind.INPUT


class StepParseError(ThinkbotError):
    kind = FailureKind.PARSE


class ChainError(ThinkbotError):
    kind = FailureKind.CHAIN


class MalformedOutputError(ChainError):
    kind = FailureKind.MALFORMED_OUTPUT


class EmptyAnswerError(ChainError):
    kind = FailureKind.EMPTY_ANSWER


class DeadlineExceededError(ChainError):
    kind = FailureKind.DEADLINE


class LLMError(ThinkbotError):
    kind = FailureKind.LLM


class LLMAuthError(LLMError):
    kind = FailureKind.LLM_AUTH


class ModelNotFoundError(LLMError):
    kind = FailureKind.MODEL_NOT_FOUND

    def __init__(self, message: str, *, model: str) -> None:
        super().__init__(message)
        self.model = model


class LLMRateLimitError(LLMError):
    kind = FailureKind.LLM_RATE_LIMITED

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RequestTooLargeError(LLMError):
    kind = FailureKind.REQUEST_TOO_LARGE


class JSONValidateError(LLMError):
    kind = FailureKind.JSON_VALIDATE_FAILED

    def __init__(self, message: str, *, failed_generation: str) -> None:
        super().__init__(message)
        self.failed_generation = failed_generation


class LLMBadRequestError(LLMError):
    kind = FailureKind.LLM_BAD_REQUEST


class LLMTimeoutError(LLMError):
    kind = FailureKind.LLM_TIMEOUT


class LLMConnectionError(LLMError):
    kind = FailureKind.LLM_CONNECTION


class LLMServerError(LLMError):
    kind = FailureKind.LLM_SERVER
