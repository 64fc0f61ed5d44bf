"""Who may expand every step of someone else's chain in Slack: workspace admins and owners (``users.info``'s
``is_admin``/``is_owner``, which needs the ``users:read`` scope), remembered for a few minutes per user."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["Admins"]

log = logging.getLogger(__name__)

_PRUNE_AT = 1024


class Admins:
    def __init__(
        self, *, client: AsyncWebClient, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._known: dict[str, tuple[bool, float]] = {}

    async def includes(self, user: str) -> bool:
        """Whether ``user`` is an admin or owner of the workspace; ``False`` when Slack cannot say."""
        now = self._clock()
        known = self._known.get(user)
        if known is not None and known[1] > now:
            return known[0]
        try:
            reply = await self._client.users_info(user=user)
        except SlackApiError as exc:
            log.info("slack: could not read a user's role: %s", exc.response.get("error"))
            return False
        profile = reply.get("user") or {}
        admin = bool(profile.get("is_admin") or profile.get("is_owner") or profile.get("is_primary_owner"))
        if len(self._known) >= _PRUNE_AT:
            self._known = {u: k for u, k in self._known.items() if k[1] > now}
        self._known[user] = (admin, now + self._ttl)
        return admin
