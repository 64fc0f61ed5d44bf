"""Errors raised by the reasoning core.

Every error the core raises derives from :class:`ThinkbotError` and carries a ``kind`` (a short, stable
identifier adapters and scripts may switch on) and a ``user_message`` (one sentence a chat user can read).
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
"""

from __future__ import annotations

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

    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def user_message(self) -> str:
        return self.message


class ConfigError(ThinkbotError):
    kind = "config"


class InputError(ThinkbotError):
    kind = "input"


class StepParseError(ThinkbotError):
    kind = "parse"


class ChainError(ThinkbotError):
    kind = "chain"


class MalformedOutputError(ChainError):
    kind = "malformed_output"


class EmptyAnswerError(ChainError):
    kind = "empty_answer"


class DeadlineExceededError(ChainError):
    kind = "deadline"


class LLMError(ThinkbotError):
    kind = "llm"


class LLMAuthError(LLMError):
    kind = "llm_auth"


class ModelNotFoundError(LLMError):
    kind = "model_not_found"

    def __init__(self, message: str, *, model: str) -> None:
        super().__init__(message)
        self.model = model


class LLMRateLimitError(LLMError):
    kind = "llm_rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RequestTooLargeError(LLMError):
    kind = "request_too_large"


class JSONValidateError(LLMError):
    kind = "json_validate_failed"

    def __init__(self, message: str, *, failed_generation: str) -> None:
        super().__init__(message)
        self.failed_generation = failed_generation


class LLMBadRequestError(LLMError):
    kind = "llm_bad_request"


class LLMTimeoutError(LLMError):
    kind = "llm_timeout"


class LLMConnectionError(LLMError):
    kind = "llm_connection"


class LLMServerError(LLMError):
    kind = "llm_server"
