"""The port's lookups: chain records, which adapter message shows which steps, and the chains answered in a thread.

Adapters keep nothing of their own: they link each message they post (and each thread a chain answered in) here,
and read it all back for a reaction or a follow-up, after a restart too, without reading the platform's history.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from core.events import Step
from core.request import Turn
from core.state.messages import MessageIndex, MessageLink
from core.state.records import ChainRecord, ChainRecords

__all__ = ["ChainLog"]


class ChainLog:
    def __init__(self, *, records: ChainRecords, messages: MessageIndex) -> None:
        self._records = records
        self._messages = messages

    async def record(self, chain_id: str) -> ChainRecord | None:
        return await self._records.get(chain_id)

    async def link_message(
        self, message_id: str, *, chain_id: str, steps: Sequence[int] = (), location: str = ""
    ) -> None:
        await self._messages.link(message_id, chain_id=chain_id, steps=steps, location=location)

    async def find_message(self, message_id: str) -> tuple[ChainRecord, Step | None] | None:
        link = await self._messages.resolve(message_id)
        record = await self._records.get(link.chain_id) if link else None
        if link is None or record is None:
            return None
        return record, next((s for s in record.steps if s.index == link.step), None)

    async def chain_messages(self, chain_id: str) -> tuple[MessageLink, ...]:
        return await self._messages.chain_messages(chain_id)

    async def set_continuations(self, chain_id: str, message_id: str, more: Sequence[MessageLink]) -> None:
        await self._messages.set_continuations(chain_id, message_id, more)

    async def take_continuations(self, chain_id: str, message_id: str) -> tuple[MessageLink, ...]:
        return await self._messages.take_continuations(chain_id, message_id)

    async def link_thread(self, thread_id: str, *, chain_id: str) -> None:
        await self._messages.add_thread_chain(thread_id, chain_id)

    async def thread_turns(self, thread_id: str, *, limit: int) -> tuple[Turn, ...]:
        chain_ids = await self._messages.thread_chains(thread_id, limit=limit)
        if not chain_ids and limit > 0:  # a thread linked like a message, before threads were kept
            legacy = await self._messages.resolve(thread_id)
            chain_ids = (legacy.chain_id,) if legacy else ()
        records = await asyncio.gather(*(self._records.get(chain_id) for chain_id in chain_ids))
        return tuple(Turn(question=r.question, answer=r.answer) for r in records if r is not None and r.answer)
