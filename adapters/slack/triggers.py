"""Slack payloads that ask a question (``app_mention``, ``message.im``, ``/think``) as one :class:`Ask`. Pure.

Messages from any bot, our own included, and edits, deletions and other message subtypes ask nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.mrkdwn import from_slack

__all__ = ["Ask", "from_command", "from_dm", "from_mention", "message_id", "place_id", "user_id"]

_ASKING_SUBTYPES = frozenset({"", "file_share", "thread_broadcast"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Ask:
    """Who asked what, where. ``thread_ts`` is the parent the answer goes under (``None``: post a header first,
    as ``/think`` does); ``ts`` is the asking message (``None`` for a command); ``follow_up`` says the question
    was asked inside an existing thread."""

    team_id: str
    channel: str
    user: str
    question: str
    ts: str | None
    thread_ts: str | None
    follow_up: bool
    delivery_key: str | None
    response_url: str | None = None


def user_id(team_id: str, user: str) -> str:
    return f"slack:{team_id}:{user}"


def place_id(team_id: str) -> str:
    return f"slack:team:{team_id}"


def message_id(channel: str, ts: str) -> str:
    return f"slack:{channel}:{ts}"


def from_mention(body: Mapping[str, Any], *, bot_user_id: str | None) -> Ask | None:
    """``@thinkbot question`` in a channel or a thread; the question is the text without the bot's mention."""
    event = body.get("event") or {}
    if _from_a_bot(event, bot_user_id):
        return None
    text = str(event.get("text", ""))
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return _ask(body, event, from_slack(text).strip())


def from_dm(body: Mapping[str, Any], *, bot_user_id: str | None) -> Ask | None:
    """A direct message (``message`` with ``channel_type`` ``im``) from a person."""
    event = body.get("event") or {}
    if event.get("channel_type") != "im" or _from_a_bot(event, bot_user_id):
        return None
    if str(event.get("subtype") or "") not in _ASKING_SUBTYPES:
        return None
    return _ask(body, event, from_slack(str(event.get("text", ""))).strip())


def from_command(command: Mapping[str, Any]) -> Ask:
    """``/think question``: there is no message to answer under, so the chain posts a header first."""
    team = str(command.get("team_id", ""))
    trigger = str(command.get("trigger_id", ""))
    return Ask(
        team_id=team,
        channel=str(command.get("channel_id", "")),
        user=str(command.get("user_id", "")),
        question=from_slack(str(command.get("text", ""))).strip(),
        ts=None,
        thread_ts=None,
        follow_up=False,
        delivery_key=f"slack:{team}:command:{trigger}" if trigger else None,
        response_url=str(command.get("response_url") or "") or None,
    )


def _ask(body: Mapping[str, Any], event: Mapping[str, Any], question: str) -> Ask:
    team = str(body.get("team_id") or event.get("team") or "")
    ts = str(event.get("ts", ""))
    parent = event.get("thread_ts")
    event_id = body.get("event_id")
    return Ask(
        team_id=team,
        channel=str(event.get("channel", "")),
        user=str(event.get("user", "")),
        question=question,
        ts=ts,
        thread_ts=str(parent) if parent else ts,
        follow_up=bool(parent) and parent != ts,
        delivery_key=f"slack:{team}:{event_id}" if event_id else None,
    )


def _from_a_bot(event: Mapping[str, Any], bot_user_id: str | None) -> bool:
    return bool(
        event.get("bot_id")
        or event.get("subtype") == "bot_message"
        or (bot_user_id and event.get("user") == bot_user_id)
        or not event.get("user")
    )
