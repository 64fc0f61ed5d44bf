"""Reactions on our messages: the expand reaction shows steps in full, removing it collapses them again, and the
stop reaction from the asker cancels a running chain.

Everything needed is read back: the chain record (Redis, via the service) and the thread itself (which message
holds which steps, from block ids), so a reaction on a message posted before a restart works the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from adapters.slack import render
from adapters.slack.options import SlackOptions
from adapters.slack.port import ChainService
from adapters.slack.poster import Poster, SlackMessage
from adapters.slack.tags import tags_of
from adapters.slack.triggers import message_id, user_id
from core.events import Step

__all__ = ["Reactions"]

log = logging.getLogger(__name__)


class Reactions:
    def __init__(self, *, service: ChainService, poster: Poster, options: SlackOptions) -> None:
        self._service = service
        self._poster = poster
        self._options = options
        self._locks: dict[str, asyncio.Lock] = {}

    async def handle(self, body: Mapping[str, Any], *, added: bool) -> None:
        event = body.get("event") or {}
        item = event.get("item") or {}
        if item.get("type") != "message":
            return
        channel, ts, name = str(item.get("channel", "")), str(item.get("ts", "")), event.get("reaction")
        if name == self._options.stop_reaction and added:
            await self._stop(channel, ts, asker=user_id(str(body.get("team_id", "")), str(event.get("user", ""))))
        elif name == self._options.expand_reaction:
            # One at a time per channel, in arrival order, so a quick add-then-remove ends collapsed.
            # (One small lock per channel that ever saw a reaction: not worth pruning.)
            async with self._locks.setdefault(channel, asyncio.Lock()):
                await self._toggle(channel, ts, expand=added)

    async def _stop(self, channel: str, ts: str, *, asker: str) -> None:
        found = await self._service.find_message(message_id(channel, ts))
        if found is None:
            return
        record = found[0]
        if record.asker != asker or record.status != "running":
            log.info("slack: stop on chain %s ignored (%s)", record.chain_id, record.status)
            return
        stopped = self._service.cancel(record.chain_id)
        log.info("slack: stop on chain %s: %s", record.chain_id, "cancelled" if stopped else "not running here")

    async def _toggle(self, channel: str, ts: str, *, expand: bool) -> None:
        found = await self._service.find_message(message_id(channel, ts))
        if found is None:
            return
        record, step = found
        messages = await self._poster.thread(channel, ts)
        if step is not None:
            targets = [m for m in messages if m.get("ts") == ts]
        else:
            targets = [m for m in messages if m.get("bot_id") and _steps_in(m, record.chain_id)]
        known = {s.index: s for s in record.steps}
        root = str(messages[0].get("thread_ts") or messages[0]["ts"]) if messages else ts
        for target in targets:
            steps = [known[i] for i in _steps_in(target, record.chain_id) if i in known]
            if steps:
                await self._show(channel, root, target, messages, record.chain_id, steps, expand=expand)

    async def _show(
        self,
        channel: str,
        root: str,
        target: SlackMessage,
        thread: list[SlackMessage],
        chain_id: str,
        steps: list[Step],
        *,
        expand: bool,
    ) -> None:
        origin = str(target["ts"])
        for old in thread:
            if any(t.kind == "c" and t.origin == origin for t in tags_of(old.get("blocks") or [])):
                await self._poster.delete(channel, str(old["ts"]))
        if not expand:
            await self._poster.update(channel, origin, render.collapsed_steps(chain_id, steps))
            return
        first, *more = render.expanded_steps(chain_id, steps, origin_ts=origin)
        await self._poster.update(channel, origin, first)
        for part in more:
            await self._poster.post(channel, part, thread_ts=root)


def _steps_in(message: SlackMessage, chain_id: str) -> list[int]:
    return [
        t.step
        for t in tags_of(message.get("blocks") or [])
        if t.kind == "s" and t.chain_id == chain_id and t.step is not None
    ]
