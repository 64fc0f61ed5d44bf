"""Records turned into the JSON shapes Slack's Web API and events use."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.slack.models import Message
from tests.fakes.slack.workspace import User, Workspace

__all__ = ["CHANNEL_ID", "message_json", "user_json"]

CHANNEL_ID = re.compile(r"^[CDG][A-Z0-9]{2,}$")


def message_json(message: Message, workspace: Workspace, replies: list[Message] | None = None) -> dict[str, Any]:
    """A message as ``chat.postMessage`` and ``conversations.replies`` return it."""
    body: dict[str, Any] = {"type": "message", "user": message.user, "text": message.text, "ts": message.ts}
    body["team"] = workspace.team_id
    if message.blocks:
        body["blocks"] = list(message.blocks)
    if message.bot_id:
        body["bot_id"] = message.bot_id
        body["app_id"] = workspace.app_id
        body["bot_profile"] = {"id": message.bot_id, "app_id": workspace.app_id, "name": workspace.bot_name}
    if message.is_reply:
        body["thread_ts"] = message.thread_ts
        if message.reply_broadcast:
            body["subtype"] = "thread_broadcast"
    if message.edits:
        body["edited"] = {"user": message.user, "ts": message.ts}
    if replies:
        body["thread_ts"] = message.ts
        body["reply_count"] = len(replies)
        body["reply_users"] = sorted({r.user for r in replies})
        body["latest_reply"] = replies[-1].ts
    if message.deleted:
        body.update(subtype="tombstone", text="This message was deleted.", user="USLACKBOT")
        body.pop("blocks", None)
    return body


def user_json(user: User, workspace: Workspace) -> dict[str, Any]:
    """A user as ``users.info`` returns it."""
    return {
        "id": user.id,
        "team_id": workspace.team_id,
        "name": user.name,
        "real_name": user.name.title(),
        "deleted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "is_admin": user.is_admin or user.is_owner or user.is_primary_owner,
        "is_owner": user.is_owner or user.is_primary_owner,
        "is_primary_owner": user.is_primary_owner,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "tz": user.tz,
        "profile": {"display_name": user.name, "real_name": user.name.title(), "team": workspace.team_id},
    }
