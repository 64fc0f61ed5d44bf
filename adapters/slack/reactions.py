"""Reactions on our messages: the expand reaction shows steps in full, removing it collapses them again, and the
stop reaction from the asker cancels a running chain.

Everything needed is read back from the core's records (through the service): the chain, which message shows
which steps, the continuations an expansion added. Slack's history is never read (``conversations.replies`` is
limited to one call a minute for apps distributed outside the Marketplace), and a reaction on a message posted
before a restart works the same.

A step's own expand reaction is open to everyone; on the question or the answer (every step) only to the asker
and workspace admins and owners. Each toggle counts against the per-message and per-user limits (``toggles``);
a refused one does nothing. Reactions on one message are handled in arrival order, and one on a message of ours
whose link is not saved yet waits briefly for it (``options.link_wait``) instead of being lost.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from adapters.chat.linkwait import until_linked
from adapters.chat.ordering import KeyedLocks
from adapters.slack import render
from adapters.slack.admins import Admins
from adapters.slack.options import SlackOptions
from adapters.slack.overflow import fit
from adapters.slack.poster import Poster
from adapters.slack.triggers import message_id, user_id
from core.events import Step
from core.port import ThinkPort
from core.state import ChainRecord, MessageLink
from core.toggles import Toggles

__all__ = ["Reactions"]

log = logging.getLogger(__name__)

Found = tuple[ChainRecord, Step | None]


class Reactions:
    def __init__(self, *, service: ThinkPort, poster: Poster, options: SlackOptions, toggles: Toggles) -> None:
        self._service = service
        self._poster = poster
        self._options = options
        self._toggles = toggles
        self._admins = Admins(client=poster.client)
        self._messages: KeyedLocks[str] = KeyedLocks()
        self._channels: KeyedLocks[str] = KeyedLocks()

    async def handle(self, body: Mapping[str, Any], *, added: bool, bot_user_id: str | None = None) -> None:
        event = body.get("event") or {}
        item = event.get("item") or {}
        if item.get("type") != "message":
            return
        channel, ts, name = str(item.get("channel", "")), str(item.get("ts", "")), event.get("reaction")
        expand = name == self._options.expand_reaction
        if not expand and not (name == self._options.stop_reaction and added):
            return
        team, user = str(body.get("team_id", "")), str(event.get("user", ""))
        ours = bool(bot_user_id) and event.get("item_user") == bot_user_id
        link = message_id(channel, ts)
        # One at a time per message, in arrival order, so a quick add-then-remove ends collapsed.
        async with self._messages(link):
            lookup = lambda: self._service.find_message(link)  # noqa: E731
            found = await until_linked(lookup, within=self._options.link_wait if ours else 0.0)
            if found is None:
                return
            if not expand:
                await self._stop(found, asker=user_id(team, user))
            elif await self._may_toggle(found, team=team, user=user, link=link):
                async with self._channels(channel):  # expanding every step touches the whole thread
                    await self._toggle(channel, ts, found, expand=added)

    async def _may_toggle(self, found: Found, *, team: str, user: str, link: str) -> bool:
        record, step = found
        if step is None and record.asker != user_id(team, user) and not await self._admins.includes(user):
            log.info("slack: expand-every-step on chain %s ignored: neither the asker nor an admin", record.chain_id)
            return False
        return await self._toggles.allow(user=user_id(team, user), message=link)

    async def _stop(self, found: Found, *, asker: str) -> None:
        record = found[0]
        if record.asker != asker or record.status != "running":
            log.info("slack: stop on chain %s ignored (%s)", record.chain_id, record.status)
            return
        stopped = self._service.cancel(record.chain_id)
        log.info("slack: stop on chain %s: %s", record.chain_id, "cancelled" if stopped else "not running here")

    async def _toggle(self, channel: str, ts: str, found: Found, *, expand: bool) -> None:
        record, step = found
        here = message_id(channel, ts)
        links = [link for link in await self._service.chain_messages(record.chain_id) if link.steps]
        if step is not None:
            alone = MessageLink(chain_id=record.chain_id, message_id=here, steps=(step.index,))
            links = [link for link in links if link.message_id == here] or [alone]
        known = {s.index: s for s in record.steps}
        room = self._options.thread_messages  # continuation messages this toggle may add, over all its targets
        for link in links:
            steps = [known[i] for i in link.steps if i in known]
            if steps:
                room -= await self._show(link, steps, expand=expand, room=room)

    async def _show(self, link: MessageLink, steps: list[Step], *, expand: bool, room: int) -> int:
        """Show ``steps`` in the message of ``link`` and in at most ``room`` (at least one) continuation messages
        after it; returns how many were posted."""
        channel, origin = _place(link.message_id)
        for old in await self._service.take_continuations(link.chain_id, link.message_id):
            await self._poster.delete(*_place(old.message_id))
        if not expand:
            await self._poster.update(channel, origin, render.collapsed_steps(link.chain_id, steps))
            return 0
        first, *more = render.expanded_steps(link.chain_id, steps, origin_ts=origin)
        await self._poster.update(channel, origin, first)
        if not link.location:  # linked before links kept their thread: nowhere known to post the rest
            return 0
        subject = f"The rest of step {steps[0].index}" if len(steps) == 1 else "The rest of these steps"
        more = fit(more, max(1, room), subject=subject, limit=self._options.thread_messages)
        added: list[MessageLink] = []
        try:
            for part in more:
                ts = await self._poster.post(channel, part, thread_ts=link.location)
                added.append(
                    MessageLink(chain_id=link.chain_id, message_id=message_id(channel, ts), location=link.location)
                )
        finally:  # what was posted is kept even if a later post failed, so the next toggle removes it
            if added:
                await self._service.set_continuations(link.chain_id, link.message_id, added)
        return len(added)


def _place(link: str) -> tuple[str, str]:
    """The channel and ts in a :func:`~adapters.slack.triggers.message_id`."""
    _, channel, ts = link.split(":", 2)
    return channel, ts
