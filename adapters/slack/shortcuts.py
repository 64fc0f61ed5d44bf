""" "Think about this message" on Slack: the message shortcut (callback id ``think_about_message``, in manifest.yml)
thinks about that message's text and answers in its thread, as a mention there would be answered.

Slack wants the ``message_action`` acked within 3 s: the listener acks first, then the question runs as one of the
app's tasks through the same path as a mention (:meth:`adapters.slack.app.SlackBot._answer`). Notes for the user
alone (a refusal, a queue position) go through the payload's ``response_url``. The answer goes under the message's
thread: its ``thread_ts`` when it is a reply (or has replies), else its own ``ts``. The text is untrusted like any
question: the core cleans it and holds it to the same limits; a message without text is refused here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from adapters.chat.about_message import NO_TEXT, SHORTCUT_ID, question_of
from adapters.slack.mrkdwn import from_slack
from adapters.slack.surface import Respond
from adapters.slack.triggers import Ask

__all__ = ["SHORTCUT_ID", "from_shortcut", "shortcut_listener"]

log = logging.getLogger(__name__)

Answer = Callable[[Ask, Respond], Coroutine[Any, Any, None]]
Spawn = Callable[[Coroutine[Any, Any, None]], None]


def from_shortcut(payload: Mapping[str, Any]) -> Ask | None:
    """The question a ``message_action`` asks (its message's text; ``question`` empty when it has none), or
    ``None`` for a payload without a message to answer under. Delivery key: the action's ``trigger_id`` (each use
    has its own), else the message and the action's time."""
    message = payload.get("message") or {}
    channel = str((payload.get("channel") or {}).get("id") or "")
    user = payload.get("user") or {}
    ts = str(message.get("ts") or payload.get("message_ts") or "")
    if not (channel and ts and user.get("id")):
        return None
    team = str((payload.get("team") or {}).get("id") or user.get("team_id") or "")
    parent = message.get("thread_ts")
    trigger = payload.get("trigger_id")
    use = f"shortcut:{trigger}" if trigger else f"shortcut:{channel}:{ts}:{payload.get('action_ts', '')}"
    text = question_of(from_slack(str(message.get("text") or "")).strip())
    return Ask(
        team_id=team,
        channel=channel,
        user=str(user["id"]),
        question=text or "",
        ts=ts,
        thread_ts=str(parent) if parent else ts,
        follow_up=bool(parent) and parent != ts,
        delivery_key=f"slack:{team}:{use}",
        response_url=str(payload.get("response_url") or "") or None,
    )


def shortcut_listener(spawn: Spawn, answer: Answer) -> Callable[..., Awaitable[None]]:
    """bolt's listener for ``app.shortcut(SHORTCUT_ID)``: ack, then ``spawn(answer(ask, respond))``."""

    async def on_shortcut(ack: Callable[..., Awaitable[Any]], shortcut: dict[str, Any], respond: Any) -> None:
        await ack()

        async def tell(text: str) -> object:
            return await respond(text=text, response_type="ephemeral", replace_original=False)

        ask = from_shortcut(shortcut)
        if ask is None:
            log.warning("slack: a %s shortcut came without a message; ignored", SHORTCUT_ID)
            return
        if not ask.question:
            spawn(_said(tell, NO_TEXT))
            return
        spawn(answer(ask, tell))

    return on_shortcut


async def _said(tell: Respond, text: str) -> None:
    await tell(text)
