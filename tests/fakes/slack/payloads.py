"""Slack-shaped payloads for what users do: mentions, DMs, reactions, ``/think``, message shortcuts, and URL
verification."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.fakes.slack.clock import IdMaker
from tests.fakes.slack.models import Message, ReactionChange
from tests.fakes.slack.workspace import Workspace

__all__ = ["EventFactory"]


class EventFactory:
    """Builds ``event_callback`` bodies (the same for Socket Mode and HTTP) and slash command forms."""

    def __init__(self, *, workspace: Workspace, ids: IdMaker, response_url: Callable[[str, str, str], str]) -> None:
        self._ws = workspace
        self._ids = ids
        self._response_url = response_url

    def callback(self, event: dict[str, Any]) -> dict[str, Any]:
        """Wrap one inner event the way the Events API delivers it."""
        ws = self._ws
        return {
            "token": ws.verification_token,
            "team_id": ws.team_id,
            "context_team_id": ws.team_id,
            "context_enterprise_id": ws.enterprise_id,
            "api_app_id": ws.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": self._ids.event_id(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": ws.enterprise_id,
                    "team_id": ws.team_id,
                    "user_id": ws.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-{ws.team_id}",
        }

    def app_mention(self, message: Message) -> dict[str, Any]:
        return self.callback(self._message_event(message, "app_mention"))

    def message(self, message: Message, *, channel_type: str = "im") -> dict[str, Any]:
        """A ``message`` event (``message.im`` when ``channel_type`` is ``im``); bot messages carry ``bot_id``."""
        event = self._message_event(message, "message")
        event["channel_type"] = channel_type
        return self.callback(event)

    def reaction(self, change: ReactionChange, *, item_user: str) -> dict[str, Any]:
        """``reaction_added`` or ``reaction_removed`` on a message."""
        event = {
            "type": "reaction_added" if change.added else "reaction_removed",
            "user": change.user,
            "reaction": change.name,
            "item_user": item_user,
            "item": {"type": "message", "channel": change.channel, "ts": change.ts},
            "event_ts": f"{time.time():.6f}",
        }
        return self.callback(event)

    def slash_command(self, *, channel: str, user: str, text: str, command: str = "/think") -> dict[str, str]:
        """The form fields of a slash command (Socket Mode sends the same keys as a JSON object)."""
        ws = self._ws
        trigger_id = self._ids.trigger_id()
        found = ws.user(user)
        return {
            "token": ws.verification_token,
            "team_id": ws.team_id,
            "team_domain": ws.team_domain,
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else f"channel-{channel.lower()}",
            "user_id": user,
            "user_name": found.name if found else user.lower(),
            "command": command,
            "text": text,
            "api_app_id": ws.app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(trigger_id, channel, user),
            "trigger_id": trigger_id,
        }

    def message_shortcut(
        self, message: Message, *, user: str, callback_id: str, has_replies: bool = False
    ) -> dict[str, Any]:
        """A message shortcut used on ``message`` by ``user``: the ``message_action`` interactive payload (Socket
        Mode's ``interactive`` envelope, or the ``payload`` form field in HTTP mode). The message comes whole, with
        ``thread_ts`` when it is a reply or has replies (``has_replies``); ``response_url`` is served by this fake."""
        ws = self._ws
        trigger_id = self._ids.trigger_id()
        found = ws.user(user)
        name = found.name if found else user.lower()
        shown: dict[str, Any] = {"type": "message", "text": message.text, "ts": message.ts, "team": ws.team_id}
        if message.bot_id is not None:
            shown.update(subtype="bot_message", bot_id=message.bot_id, app_id=ws.app_id)
        else:
            shown.update(user=message.user, client_msg_id=f"fake-{message.ts}")
        if message.thread_ts is not None or has_replies:
            shown["thread_ts"] = message.thread_ts or message.ts
        if message.blocks:
            shown["blocks"] = list(message.blocks)
        channel = message.channel
        return {
            "type": "message_action",
            "token": ws.verification_token,
            "action_ts": f"{time.time():.6f}",
            "team": {"id": ws.team_id, "domain": ws.team_domain},
            "user": {"id": user, "username": name, "name": name, "team_id": ws.team_id},
            "channel": {
                "id": channel,
                "name": "directmessage" if channel.startswith("D") else f"channel-{channel.lower()}",
            },
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id,
            "response_url": self._response_url(trigger_id, channel, user),
            "message_ts": message.ts,
            "message": shown,
        }

    def url_verification(self, challenge: str) -> dict[str, Any]:
        return {"token": self._ws.verification_token, "challenge": challenge, "type": "url_verification"}

    def _message_event(self, message: Message, kind: str) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": kind,
            "user": message.user,
            "text": message.text,
            "ts": message.ts,
            "channel": message.channel,
            "event_ts": message.ts,
            "team": self._ws.team_id,
        }
        if message.thread_ts is not None:
            event["thread_ts"] = message.thread_ts
        if message.bot_id is not None:
            event["bot_id"] = message.bot_id
            event["app_id"] = self._ws.app_id
        else:
            event["client_msg_id"] = f"fake-{message.ts}"
        if message.blocks:
            event["blocks"] = list(message.blocks)
        return event
