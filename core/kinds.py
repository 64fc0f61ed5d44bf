"""Why a chain failed or was refused: every ``kind`` a ``ChainFailed`` or a core error carries, declared once.

A :class:`FailureKind` is a ``StrEnum``, so it equals its string: JSON, Redis records and streams, logs and metric
labels see the plain value (``"rate_limited"``), and a record written before this enum existed reads back the same.
Adapters and scripts compare against the members, never against string literals.

The README's errors table lists every member a user can see; :data:`UNSEEN` holds the others (a setting start-up
refuses, or an error the core handles itself before it could reach a chat).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["UNSEEN", "FailureKind", "failure_kind"]


class FailureKind(StrEnum):
    # refused before a chain starts
    INPUT = "input"
    RATE_LIMITED = "rate_limited"
    LIMITS_UNAVAILABLE = "limits_unavailable"
    BUSY = "busy"
    OVER_BUDGET = "over_budget"
    NOT_ALLOWED = "not_allowed"
    DUPLICATE = "duplicate"
    RESTARTING = "restarting"
    # a chain that stopped
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    FLIGHT_LOST = "flight_lost"
    DEADLINE = "deadline"
    EMPTY_ANSWER = "empty_answer"
    MALFORMED_OUTPUT = "malformed_output"
    INTERNAL = "internal"
    # the LLM provider refused or failed
    LLM_AUTH = "llm_auth"
    MODEL_NOT_FOUND = "model_not_found"
    LLM_RATE_LIMITED = "llm_rate_limited"
    REQUEST_TOO_LARGE = "request_too_large"
    JSON_VALIDATE_FAILED = "json_validate_failed"
    LLM_BAD_REQUEST = "llm_bad_request"
    LLM_TIMEOUT = "llm_timeout"
    LLM_CONNECTION = "llm_connection"
    LLM_SERVER = "llm_server"
    # never shown to a user (see UNSEEN)
    ERROR = "error"
    CONFIG = "config"
    PARSE = "parse"
    CHAIN = "chain"
    LLM = "llm"
    CODEC = "codec"
    STORE_UNAVAILABLE = "store_unavailable"


UNSEEN: frozenset[FailureKind] = frozenset(
    {
        FailureKind.ERROR,  # the root error class; only its subclasses are raised
        FailureKind.CONFIG,  # a setting: start-up stops with a message naming the variable
        FailureKind.PARSE,  # one unreadable step: the chain repairs or re-asks it
        FailureKind.CHAIN,  # the root of chain errors; only its subclasses are raised
        FailureKind.LLM,  # the root of LLM errors; only its subclasses are raised
        FailureKind.CODEC,  # an unreadable stored event: skipped as a cache or record miss
        FailureKind.STORE_UNAVAILABLE,  # Redis is down: every primitive falls back
    }
)
"""Kinds a user never sees; the README's errors table lists all the others."""


def failure_kind(value: str) -> FailureKind:
    """``value`` as a member; a kind this version does not know (a newer process's, read from Redis) is
    :attr:`FailureKind.INTERNAL`, so an event it ends is still shown, with its own message."""
    try:
        return FailureKind(value)
    except ValueError:
        return FailureKind.INTERNAL
