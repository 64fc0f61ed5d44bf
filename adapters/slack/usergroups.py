"""Which user groups a Slack user belongs to (``usergroups.list`` with ``include_users``, scope ``usergroups:read``),
read only for a workspace that limits the bot to some groups, and remembered for a few minutes per workspace."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["UserGroups"]

log = logging.getLogger(__name__)


class UserGroups:
    def __init__(
        self, *, client: AsyncWebClient, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._known: dict[str, tuple[float, dict[str, tuple[str, ...]]]] = {}

    async def of(self, team: str, user: str) -> tuple[str, ...]:
        """The ids of ``user``'s groups; none when Slack cannot say (logged once per read)."""
        known = self._known.get(team)
        if known is None or self._clock() - known[0] >= self._ttl:
            known = (self._clock(), await self._read(team))
            self._known[team] = known
        return known[1].get(user, ())

    async def _read(self, team: str) -> dict[str, tuple[str, ...]]:
        try:
            reply = await self._client.usergroups_list(include_users=True, team_id=team or None)
        except SlackApiError as exc:
            log.info("slack: could not read the user groups: %s", exc.response.get("error"))
            return {}
        members: dict[str, list[str]] = {}
        for group in reply.get("usergroups") or ():
            for user in group.get("users") or ():
                members.setdefault(str(user), []).append(str(group.get("id")))
        return {user: tuple(groups) for user, groups in members.items()}
