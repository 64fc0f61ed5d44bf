"""Where Slack refused a method of the newer kind (streamed messages, the thread's status line), remembered for a
while so that later chains there do without it at once (posts instead of a stream, a progress line instead of a
status). One :class:`Refusals` per method.

Kept in this process (a small map with expiry), not in Redis: a refusal costs one Web API call and nothing a user
sees (the chain that meets it falls back at once), so sharing it between replicas would save at most one call per
replica per period, and the core's port stays free of a Slack detail. After ``retry_after`` seconds the method is
tried again there (an admin may have turned it on since).

What counts as a refusal of the method, rather than a failure of that one call: the method unknown or not allowed
(``unknown_method``, ``not_allowed``, ``missing_scope``, ``access_denied``, ...), remembered for the whole
workspace; and ``channel_type_not_supported``, remembered for that kind of channel only (the first letter of its
id: ``C`` public, ``G`` private, ``D`` direct).
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["WORKSPACE_REFUSALS", "Refusals"]

WORKSPACE_REFUSALS = frozenset(
    {
        "unknown_method",
        "not_allowed",
        "not_allowed_token_type",
        "missing_scope",
        "access_denied",
        "no_permission",
        "method_deprecated",
        "deprecated_endpoint",
        "enterprise_is_restricted",
    }
)
CHANNEL_KIND_REFUSALS = frozenset({"channel_type_not_supported"})


class Refusals:
    """``refused(team, channel)`` while a refusal there is younger than ``retry_after`` seconds."""

    def __init__(self, *, retry_after: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._retry_after = retry_after
        self._clock = clock
        self._until: dict[str, float] = {}

    def refused(self, team: str, channel: str) -> bool:
        now = self._clock()
        return any(self._until.get(key, now) > now for key in (_workspace(team), _kind(team, channel)))

    def remember(self, team: str, channel: str, error: str | None) -> bool:
        """Note ``error`` (Slack's code for a refused call of the method); whether it refuses the method here."""
        if error in WORKSPACE_REFUSALS:
            key = _workspace(team)
        elif error in CHANNEL_KIND_REFUSALS:
            key = _kind(team, channel)
        else:
            return False
        now = self._clock()
        self._until = {k: until for k, until in self._until.items() if until > now}
        self._until[key] = now + self._retry_after
        return True


def _workspace(team: str) -> str:
    return team


def _kind(team: str, channel: str) -> str:
    return f"{team}:{channel[:1]}"
