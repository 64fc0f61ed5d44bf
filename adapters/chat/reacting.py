"""Reactions on the bot's messages, one set of rules on every chat platform: expand a step (or every step),
collapse it again, stop a running chain.

- A step's own expand reaction (on a message that shows steps) is open to everyone. Expanding every step (on the
  head, the answer or a note) and stopping are only for the asker or a moderator: the platform says who moderates
  (Discord: Manage Messages in the channel; Slack: a workspace admin or owner).
- Every toggle counts against the per-message and per-user limits (:class:`~core.toggles.Toggles`) first; a refused
  one does nothing.
- Reactions on one message are handled in arrival order (a quick add-then-remove ends collapsed), and the toggles
  of one chain one at a time (expanding every step touches its whole thread).
- A reaction added to a message of ours before its link is saved waits briefly for it
  (:func:`~adapters.chat.linkwait.until_linked`) instead of being lost.
- The expand reaction is counted per person: removing one collapses the message only when nobody else's remains
  on it that could have expanded it (anyone on a step's own message; the asker or a moderator for every step). The
  platform says who still reacts (:class:`CountsReactions`); the bot's own reaction does not count.

What each message shows comes from the core's records through the port, never from the platform's history, so a
reaction on a message posted before a restart works the same. The platform's :class:`ReactionSurface` only edits,
posts and deletes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from adapters.chat.linkwait import until_linked
from adapters.chat.ordering import KeyedLocks
from core.events import Step
from core.port import ThinkPort
from core.state import ChainRecord, MessageLink
from core.toggles import Toggles

__all__ = [
    "Action",
    "CountsReactions",
    "Reaction",
    "ReactionRules",
    "ReactionSurface",
    "StopOutcome",
    "action_of",
    "stop_chain",
]

log = logging.getLogger(__name__)

Action = Literal["expand", "collapse", "stop"]
StopOutcome = Literal["stopped", "ended", "refused", "unreachable"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reaction:
    """``message``: the reacted message's key; ``user``: the reactor's user key (as records name askers);
    ``ours``: the message is the bot's own (so its link may still be on its way); ``location``: where the message
    is, as a link to it would say."""

    message: str
    user: str
    action: Action
    ours: bool
    location: str = ""


class ReactionSurface(Protocol):
    async def moderates(self) -> bool:
        """Whether the reactor may moderate where the reaction is."""
        ...

    async def rewrite(
        self, link: MessageLink, steps: list[Step], *, expanded: bool, room: int, old: Sequence[MessageLink]
    ) -> list[MessageLink]:
        """Show ``steps`` in the message of ``link``, remove the ``old`` continuations after it, and post at most
        ``room`` new ones (what does not fit goes the platform's way); returns the continuations it posted."""
        ...


@runtime_checkable
class CountsReactions(Protocol):
    """A reaction surface that can read who still has the event's reaction on the message (the platform's own
    count, after the event's change)."""

    async def reactors(self, *, who: bool) -> list[str]:
        """The user keys of everyone but the bot still reacting; with ``who=False`` only their number matters (any
        keys will do, e.g. when the platform gives only a count)."""
        ...

    async def moderator(self, user: str) -> bool:
        """Whether ``user`` (a user key) moderates where the message is."""
        ...


class ReactionRules:
    """``thread_messages``: the most continuation messages one toggle adds, over all the messages it edits;
    ``link_wait``: seconds a reaction on one of our messages waits for its link."""

    def __init__(self, *, service: ThinkPort, toggles: Toggles, thread_messages: int, link_wait: float) -> None:
        self._service = service
        self._toggles = toggles
        self._thread_messages = thread_messages
        self._link_wait = link_wait
        self._messages: KeyedLocks[str] = KeyedLocks()
        self._chains: KeyedLocks[str] = KeyedLocks()

    async def handle(self, reaction: Reaction, surface: ReactionSurface) -> None:
        async with self._messages(reaction.message):
            lookup = lambda: self._service.find_message(reaction.message)  # noqa: E731
            found = await until_linked(lookup, within=self._link_wait if reaction.ours else 0.0)
            if found is None:
                return
            record, step = found
            if reaction.action == "stop":
                await self._stop(record, reaction, surface)
            elif reaction.action == "collapse" and await _kept_expanded(record, step, surface):
                log.info("a collapse waits: someone else's expand reaction remains on the message")
            elif await self._may_toggle(record, step, reaction, surface):
                async with self._chains(record.chain_id):
                    await self._toggle(record, step, reaction, surface)

    async def _stop(self, record: ChainRecord, reaction: Reaction, surface: ReactionSurface) -> None:
        outcome = await stop_chain(self._service, record, user=reaction.user, moderates=surface.moderates)
        log.info("stop reaction on chain %s: %s", record.chain_id, outcome)

    async def _may_toggle(
        self, record: ChainRecord, step: Step | None, reaction: Reaction, surface: ReactionSurface
    ) -> bool:
        if step is None and record.asker != reaction.user and not await surface.moderates():
            log.info("ignoring an expand-every-step reaction from someone who neither asked nor moderates")
            return False
        return await self._toggles.allow(user=reaction.user, message=reaction.message)

    async def _toggle(
        self, record: ChainRecord, step: Step | None, reaction: Reaction, surface: ReactionSurface
    ) -> None:
        """Expand (or collapse) the steps the message shows; every step when it shows none (a head, an answer)."""
        here = reaction.message
        links = [link for link in await self._service.chain_messages(record.chain_id) if link.steps]
        if step is not None:
            alone = MessageLink(
                chain_id=record.chain_id, message_id=here, steps=(step.index,), location=reaction.location
            )
            links = [link for link in links if link.message_id == here] or [alone]
        known = {s.index: s for s in record.steps}
        room = self._thread_messages  # continuation messages this toggle may add, over all the messages it edits
        for link in links:
            steps = [known[i] for i in link.steps if i in known]
            if not steps:
                continue
            old = await self._service.take_continuations(link.chain_id, link.message_id)
            added = await surface.rewrite(link, steps, expanded=reaction.action == "expand", room=room, old=old)
            if added:
                await self._service.set_continuations(link.chain_id, link.message_id, added)
            room -= len(added)


async def _kept_expanded(record: ChainRecord, step: Step | None, surface: ReactionSurface) -> bool:
    """Whether someone who may expand the message still has the expand reaction on it."""
    if not isinstance(surface, CountsReactions):
        return False
    every_step = step is None  # only the asker or a moderator expands those
    for user in await surface.reactors(who=every_step):
        if not every_step or user == record.asker or await surface.moderator(user):
            return True
    return False


async def stop_chain(
    service: ThinkPort, record: ChainRecord, *, user: str, moderates: Callable[[], Awaitable[bool]]
) -> StopOutcome:
    """The one stop rule (a reaction, a button): a running chain stops for its asker (``user``, a user key) or a
    moderator, through the port, in whichever process thinks it (that process then shows the stop in the chain's
    thread as a local stop does); ``ended`` when no process runs it any more; ``unreachable`` when the other
    processes could not be asked."""
    if record.status != "running":
        return "ended"
    if record.asker != user and not await moderates():
        return "refused"
    result = await service.stop(record.chain_id)  # only now: the stop request carries the chain once allowed
    return "ended" if result == "not_running" else result


def action_of(name: str, *, expand: str, stop: str, added: bool) -> Action | None:
    """What a reaction ``name`` asks for: the expand reaction expands (added) or collapses (removed), the stop
    reaction stops (added only); anything else, nothing."""
    if name == expand:
        return "expand" if added else "collapse"
    return "stop" if name == stop and added else None
