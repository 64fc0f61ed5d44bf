"""``auth.test``, ``users.info``, ``usergroups.list``, ``reactions.add``/``remove`` and ``conversations.replies``."""

from __future__ import annotations

import time
from typing import Any

from tests.fakes.slack.api_errors import ApiError
from tests.fakes.slack.models import ReactionChange
from tests.fakes.slack.params import Call
from tests.fakes.slack.record import SlackRecord
from tests.fakes.slack.shapes import CHANNEL_ID, message_json, user_json
from tests.fakes.slack.webapi import WebApi
from tests.fakes.slack.workspace import Workspace

__all__ = ["HISTORY_PAGE", "HISTORY_WINDOW", "OtherMethods"]

HISTORY_WINDOW = 60
"""Seconds between two ``conversations.replies`` calls of an app outside the Marketplace (Slack: 1 a minute)."""
HISTORY_PAGE = 15
"""Most messages one page holds for such an app (Slack: 15, whatever ``limit`` asks)."""


class OtherMethods:
    def __init__(self, *, workspace: Workspace, record: SlackRecord, non_marketplace: bool = False) -> None:
        self._ws = workspace
        self._record = record
        self._non_marketplace = non_marketplace
        self._last_history_call: float | None = None

    def register(self, api: WebApi) -> None:
        api.add("auth.test", self.auth_test)
        api.add("users.info", self.users_info)
        api.add("usergroups.list", self.usergroups_list)
        api.add("reactions.add", self.reactions_add)
        api.add("reactions.remove", self.reactions_remove)
        api.add("conversations.replies", self.replies)

    async def auth_test(self, call: Call) -> dict[str, Any]:
        ws = self._ws
        return {
            "url": f"https://{ws.team_domain}.slack.com/",
            "team": ws.team_domain,
            "user": ws.bot_name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "app_id": ws.app_id,
            "enterprise_id": ws.enterprise_id,
            "is_enterprise_install": False,
        }

    async def users_info(self, call: Call) -> dict[str, Any]:
        user = self._ws.user(call.text("user"))
        if user is None:
            raise ApiError("user_not_found")
        return {"user": user_json(user, self._ws)}

    async def usergroups_list(self, call: Call) -> dict[str, Any]:
        """The workspace's user groups; their ``users`` only with ``include_users`` (Slack's default is without)."""
        with_users = call.text("include_users") in ("true", "1", "True")
        groups = []
        for group_id, members in self._ws.usergroups.items():
            group: dict[str, Any] = {"id": group_id, "team_id": self._ws.team_id, "handle": group_id.lower()}
            if with_users:
                group["users"] = list(members)
                group["user_count"] = len(members)
            groups.append(group)
        return {"usergroups": groups}

    async def reactions_add(self, call: Call) -> dict[str, Any]:
        if not self._record.add_reaction(self._reaction(call, added=True)):
            raise ApiError("already_reacted")
        return {}

    async def reactions_remove(self, call: Call) -> dict[str, Any]:
        if not self._record.add_reaction(self._reaction(call, added=False)):
            raise ApiError("no_reaction")
        return {}

    def _reaction(self, call: Call, *, added: bool) -> ReactionChange:
        channel, ts, name = call.text("channel"), call.text("timestamp"), call.text("name")
        if not CHANNEL_ID.match(channel):
            raise ApiError("channel_not_found")
        if not name or ":" in name or " " in name:
            raise ApiError("invalid_name")
        message = self._record.message(channel, ts)
        if message is None or message.deleted:
            raise ApiError("message_not_found")
        return ReactionChange(channel=channel, ts=ts, name=name, user=self._ws.bot_user_id, added=added)

    async def replies(self, call: Call) -> dict[str, Any]:
        """The parent then its replies in order; ``limit`` and an offset ``cursor`` page through them. Outside the
        Marketplace, one call a minute (else 429 ``ratelimited``, Retry-After the rest of it) of 15 at most."""
        if self._non_marketplace:
            self._history_call()
        channel = call.text("channel")
        if not CHANNEL_ID.match(channel):
            raise ApiError("channel_not_found")
        found = self._record.message(channel, call.text("ts"))
        if found is None:
            raise ApiError("thread_not_found")
        parent = self._record.message(channel, found.thread_ts) if found.is_reply and found.thread_ts else found
        assert parent is not None
        replies = self._record.thread(channel, parent.ts)
        if parent.deleted and not replies:
            raise ApiError("thread_not_found")
        listing = [message_json(parent, self._ws, replies)] + [message_json(r, self._ws) for r in replies]
        start, limit = _page(call)
        limit = min(limit, HISTORY_PAGE) if self._non_marketplace else limit
        page = listing[start : start + limit]
        more = start + limit < len(listing)
        cursor = f"offset:{start + limit}" if more else ""
        return {"messages": page, "has_more": more, "response_metadata": {"next_cursor": cursor}}

    def _history_call(self) -> None:
        now = time.monotonic()
        last = self._last_history_call
        if last is not None and now - last < HISTORY_WINDOW:
            raise ApiError("ratelimited", status=429, retry_after=max(1, round(HISTORY_WINDOW - (now - last))))
        self._last_history_call = now


def _page(call: Call) -> tuple[int, int]:
    try:
        limit = int(call.params.get("limit") or 1000)
        cursor = call.text("cursor")
        start = int(cursor.removeprefix("offset:")) if cursor else 0
    except ValueError:
        raise ApiError("invalid_cursor") from None
    return start, max(1, min(limit, 1000))
