"""What people do in the fake workspace: each action lands in the record and yields the payload Slack would send."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.slack.clock import TsClock
from tests.fakes.slack.models import Message, ReactionChange
from tests.fakes.slack.payloads import EventFactory
from tests.fakes.slack.record import SlackRecord
from tests.fakes.slack.workspace import Workspace

__all__ = ["UserActions", "UserEvent"]


@dataclass(frozen=True, slots=True)
class UserEvent:
    """The payload to deliver (Socket Mode or HTTP) and the message the user posted, if any."""

    payload: dict[str, Any]
    message: Message | None = None


class UserActions:
    def __init__(self, *, workspace: Workspace, record: SlackRecord, clock: TsClock, events: EventFactory) -> None:
        self._ws = workspace
        self._record = record
        self._clock = clock
        self._events = events

    def say(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> Message:
        """Post a message as ``user`` (no event is sent for it)."""
        if thread_ts is not None:
            parent = self._record.message(channel, thread_ts)
            if parent is None or parent.is_reply:
                raise ValueError(f"no top-level message {thread_ts} in {channel} to reply under")
        message = Message(channel=channel, ts=self._clock.next(), text=text, user=user, thread_ts=thread_ts)
        return self._record.add_message(message)

    def mention(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> UserEvent:
        """``@bot text`` in a channel (or in a thread under ``thread_ts``): an ``app_mention`` event."""
        message = self.say(channel=channel, user=user, text=f"<@{self._ws.bot_user_id}> {text}", thread_ts=thread_ts)
        return UserEvent(self._events.app_mention(message), message)

    def dm(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> UserEvent:
        """A direct message to the bot: a ``message`` event with ``channel_type`` ``im``."""
        if not channel.startswith("D"):
            raise ValueError("direct message channels start with D")
        message = self.say(channel=channel, user=user, text=text, thread_ts=thread_ts)
        return UserEvent(self._events.message(message, channel_type="im"), message)

    def react(self, *, channel: str, ts: str, user: str, name: str, added: bool = True) -> UserEvent:
        """Add (or with ``added=False`` remove) a reaction: ``reaction_added``/``reaction_removed``."""
        message = self._record.message(channel, ts)
        if message is None:
            raise ValueError(f"no message {ts} in {channel} to react to")
        change = ReactionChange(channel=channel, ts=ts, name=name, user=user, added=added)
        if not self._record.add_reaction(change):
            raise ValueError(f"{user} {'already has' if added else 'has no'} :{name}: on {ts}")
        return UserEvent(self._events.reaction(change, item_user=message.user))

    def command(self, *, channel: str, user: str, text: str, command: str = "/think") -> UserEvent:
        """A slash command: its fields, with a ``response_url`` served by this fake."""
        return UserEvent(self._events.slash_command(channel=channel, user=user, text=text, command=command))

    def shortcut(self, *, channel: str, ts: str, user: str, callback_id: str = "think_about_message") -> UserEvent:
        """``user`` picks the message shortcut ``callback_id`` in the menu of message ``ts``: a ``message_action``."""
        message = self._record.message(channel, ts)
        if message is None or message.deleted:
            raise ValueError(f"no message {ts} in {channel} to use a shortcut on")
        replies = not message.is_reply and bool(self._record.thread(channel, ts))
        payload = self._events.message_shortcut(message, user=user, callback_id=callback_id, has_replies=replies)
        return UserEvent(payload, message)
