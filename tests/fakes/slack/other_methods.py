"""``auth.test``, ``users.info``, ``reactions.add``/``remove`` and ``conversations.replies``."""

from __future__ import annotations

from typing import Any

from tests.fakes.slack.api_errors import ApiError
from tests.fakes.slack.models import ReactionChange
from tests.fakes.slack.params import Call
from tests.fakes.slack.record import SlackRecord
from tests.fakes.slack.shapes import CHANNEL_ID, message_json, user_json
from tests.fakes.slack.webapi import WebApi
from tests.fakes.slack.workspace import Workspace

__all__ = ["OtherMethods"]


class OtherMethods:
    def __init__(self, *, workspace: Workspace, record: SlackRecord) -> None:
        self._ws = workspace
        self._record = record

    def register(self, api: WebApi) -> None:
        api.add("auth.test", self.auth_test)
        api.add("users.info", self.users_info)
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
        """The parent then its replies in order; ``limit`` and an offset ``cursor`` page through them."""
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
        page = listing[start : start + limit]
        more = start + limit < len(listing)
        cursor = f"offset:{start + limit}" if more else ""
        return {"messages": page, "has_more": more, "response_metadata": {"next_cursor": cursor}}


def _page(call: Call) -> tuple[int, int]:
    try:
        limit = int(call.params.get("limit") or 1000)
        cursor = call.text("cursor")
        start = int(cursor.removeprefix("offset:")) if cursor else 0
    except ValueError:
        raise ApiError("invalid_cursor") from None
    return start, max(1, min(limit, 1000))
