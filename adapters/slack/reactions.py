"""Reactions on our messages, read from Slack's ``reaction_added``/``reaction_removed`` events and handed to the
shared rules (:mod:`adapters.chat.reacting`); this module only says who moderates (workspace admins and owners,
:class:`~adapters.slack.admins.Admins`) and updates, posts and deletes the messages an expansion touches.

Slack's history is never read (``conversations.replies`` is limited to one call a minute for apps distributed
outside the Marketplace): everything comes from the core's records through the service.

A streamed message (``stream`` display) is never rewritten: expanding it posts its steps in full as new replies
below it, within the same room; collapsing deletes them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.chat.caps import within_room
from adapters.chat.reacting import Reaction, ReactionRules, action_of
from adapters.slack import render
from adapters.slack.admins import Admins
from adapters.slack.options import SlackOptions
from adapters.slack.overflow import fit
from adapters.slack.poster import Poster
from adapters.slack.stream_links import read_location
from adapters.slack.triggers import message_id, user_id
from core.events import Step
from core.port import ThinkPort
from core.state import MessageLink
from core.toggles import Toggles

__all__ = ["Reactions"]

log = logging.getLogger(__name__)


class Reactions:
    def __init__(self, *, service: ThinkPort, poster: Poster, options: SlackOptions, toggles: Toggles) -> None:
        self._poster = poster
        self._options = options
        self._admins = Admins(client=poster.client)
        self._rules = ReactionRules(
            service=service, toggles=toggles, thread_messages=options.thread_messages, link_wait=options.link_wait
        )

    async def handle(self, body: Mapping[str, Any], *, added: bool, bot_user_id: str | None = None) -> None:
        event = body.get("event") or {}
        item = event.get("item") or {}
        if item.get("type") != "message":
            return
        name = str(event.get("reaction", ""))
        options = self._options
        action = action_of(name, expand=options.expand_reaction, stop=options.stop_reaction, added=added)
        if action is None:
            return
        user = str(event.get("user", ""))
        reaction = Reaction(
            message=message_id(str(item.get("channel", "")), str(item.get("ts", ""))),
            user=user_id(str(body.get("team_id", "")), user),
            action=action,
            ours=bool(bot_user_id) and event.get("item_user") == bot_user_id,
        )
        await self._rules.handle(reaction, SlackReactions(poster=self._poster, admins=self._admins, user=user,
                                                          limit=options.thread_messages))  # fmt: skip


class SlackReactions:
    """The reaction surface of one reaction event by ``user``."""

    def __init__(self, *, poster: Poster, admins: Admins, user: str, limit: int) -> None:
        self._poster = poster
        self._admins = admins
        self._user = user
        self._limit = limit

    async def moderates(self) -> bool:
        return await self._admins.includes(self._user)

    async def rewrite(
        self, link: MessageLink, steps: list[Step], *, expanded: bool, room: int, old: Sequence[MessageLink]
    ) -> list[MessageLink]:
        channel, origin = _place(link.message_id)
        thread, streamed = read_location(link.location)
        for message in old:
            await self._poster.delete(*_place(message.message_id))
        if not expanded:
            if not streamed:
                await self._poster.update(channel, origin, render.collapsed_steps(link.chain_id, steps))
            return []
        more = render.expanded_steps(link.chain_id, steps, origin_ts=origin)
        if not streamed:
            first, *more = more
            await self._poster.update(channel, origin, first)
        if not thread:  # linked before links kept their thread: nowhere known to post the rest
            return []
        subject = f"The rest of step {steps[0].index}" if len(steps) == 1 else "The rest of these steps"
        return await self._below(link, more, room=room, thread=thread, subject=subject)

    async def _below(
        self, link: MessageLink, messages: list[render.Rendered], *, room: int, thread: str, subject: str
    ) -> list[MessageLink]:
        """Post ``messages`` in the thread after the message of ``link``, at most ``room`` of them (the last one
        carries what does not fit); returns the links of those posted."""
        channel, _ = _place(link.message_id)
        fits, rest = within_room(messages, room)
        if rest:
            fits += fit(rest, 1, subject=subject, limit=self._limit)
        added: list[MessageLink] = []  # what was posted is kept even if a later post fails: the next toggle removes it
        try:
            for part in fits:
                ts = await self._poster.post(channel, part, thread_ts=thread)
                added.append(MessageLink(chain_id=link.chain_id, message_id=message_id(channel, ts),
                                         location=thread))  # fmt: skip
        except SlackApiError as exc:
            log.warning("slack: could not post the rest of message %s: %s", link.message_id, exc.response.get("error"))
        return added


def _place(link: str) -> tuple[str, str]:
    """The channel and ts in a :func:`~adapters.slack.triggers.message_id`."""
    _, channel, ts = link.split(":", 2)
    return channel, ts
