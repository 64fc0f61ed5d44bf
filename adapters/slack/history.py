"""Follow-ups: the earlier questions and answers of a thread, read back from the thread and the chain records."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from adapters.slack.poster import Poster
from adapters.slack.tags import tags_of
from core.port import ThinkPort
from core.request import Turn

__all__ = ["earlier_turns"]

log = logging.getLogger(__name__)


async def earlier_turns(
    *, service: ThinkPort, poster: Poster, channel: str, thread_ts: str, limit: int
) -> tuple[Turn, ...]:
    """The last ``limit`` answered chains in the thread under ``thread_ts``, oldest first.

    Our answer messages carry their chain id in a block id, so this works after a restart; chains whose record
    has expired are skipped.
    """
    if limit <= 0:
        return ()
    try:
        messages = await poster.thread(channel, thread_ts)
    except SlackApiError as exc:
        log.warning("slack: no context for a follow-up, reading the thread failed: %s", exc.response.get("error"))
        return ()
    chain_ids: list[str] = []
    for message in messages:
        if not message.get("bot_id"):
            continue
        for tag in tags_of(message.get("blocks") or []):
            if tag.kind == "a" and tag.chain_id not in chain_ids:
                chain_ids.append(tag.chain_id)
    turns: list[Turn] = []
    for chain_id in chain_ids[-limit:]:
        record = await service.record(chain_id)
        if record is not None and record.answer:
            turns.append(Turn(question=record.question, answer=record.answer))
    return tuple(turns)
