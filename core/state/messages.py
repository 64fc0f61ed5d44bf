"""Which adapter message shows which steps of which chain, the messages an expansion added, and the chains answered
in each thread: kept next to the chain records, so adapters never read a platform's history or touch Redis.

Message ids and locations are the adapter's own opaque strings (``discord:<message>`` in channel ``<channel>``;
``slack:<channel>:<ts>`` in thread ``<channel>:<thread ts>``). Every write adds a fixed amount per message or per
step (a hash field, a list entry), never rewrites what a chain wrote before, so the bytes sent stay linear in the
steps. All of it expires with the records (TTL setting, default 7 days); while Redis is down writes are skipped and
lookups miss.

    <prefix>:msg:<message id>        {"chain_id", "steps", "location"}       what one message shows
    <prefix>:posts:<chain id>        m:<message id> -> {"steps", "location"}  every message of a chain
                                     c:<message id> -> [[id, location], ...]  what an expansion of it added
    <prefix>:thread:<thread id>      [chain id, ...]                          chains answered there, oldest first
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.state.expiring import Expiring

__all__ = ["THREAD_CHAINS", "MessageIndex", "MessageLink"]

log = logging.getLogger(__name__)

_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError)

THREAD_CHAINS = 20
"""Answered chains remembered per thread (the newest): more than any follow-up carries as context."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageLink:
    """A message posted for ``chain_id``: ``steps`` it shows (none for a header, an answer or a note) and where it
    is (``location``, the adapter's to read)."""

    chain_id: str
    message_id: str
    steps: tuple[int, ...] = ()
    location: str = ""

    @property
    def step(self) -> int | None:
        """The first step shown, which a reaction on the message means; ``None`` when it shows none."""
        return self.steps[0] if self.steps else None


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _steps(body: dict[str, Any]) -> tuple[int, ...]:
    if "steps" in body:
        return tuple(int(s) for s in body["steps"])
    step = body.get("step")  # a link written before steps were kept: its one step, or none
    return () if step is None else (int(step),)


class MessageIndex(Expiring):
    """Links, continuations and threads in Redis (see the module docstring); build it like :class:`ChainRecords`."""

    async def link(self, message_id: str, *, chain_id: str, steps: Sequence[int] = (), location: str = "") -> bool:
        """Remember that ``message_id`` (at ``location``) shows ``steps`` of ``chain_id``."""
        shown = [int(s) for s in steps]
        single = json.dumps({"chain_id": chain_id, "steps": shown, "location": location})
        field, value = f"m:{message_id}", json.dumps({"steps": shown, "location": location})
        posts = self._keys.key("posts", chain_id)

        async def write() -> bool:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(self._keys.key("msg", message_id), single, px=self.ttl_ms)
                pipe.hset(posts, field, value)
                pipe.pexpire(posts, self.ttl_ms)
                done = await pipe.execute()
            return bool(done[0])

        return await self._guard.run(write, False)

    async def resolve(self, message_id: str) -> MessageLink | None:
        """The link of ``message_id``, or ``None`` (never linked, expired, unreadable, or Redis is down)."""
        key = self._keys.key("msg", message_id)
        raw = await self._guard.run(lambda: self._redis.get(key), None)
        if raw is None:
            return None
        try:
            body = json.loads(raw)
            chain_id = str(body["chain_id"])
            return MessageLink(
                chain_id=chain_id, message_id=message_id, steps=_steps(body), location=str(body.get("location", ""))
            )
        except _UNREADABLE:
            log.warning("Ignoring an unreadable message link at %s", key)
            return None

    async def chain_messages(self, chain_id: str) -> tuple[MessageLink, ...]:
        """Every message linked to ``chain_id``, in the order of the first step each shows (others last)."""
        found = []
        for field, value in (await self._fields(chain_id)).items():
            if not field.startswith("m:"):
                continue
            try:
                body = json.loads(value)
                link = MessageLink(
                    chain_id=chain_id, message_id=field[2:], steps=_steps(body), location=str(body["location"])
                )
            except _UNREADABLE:
                log.warning("Ignoring an unreadable message of chain %s", chain_id)
                continue
            found.append(link)
        return tuple(sorted(found, key=lambda link: (link.step is None, link.step or 0)))

    async def set_continuations(self, chain_id: str, message_id: str, more: Sequence[MessageLink]) -> None:
        """Remember the messages an expansion of ``message_id`` added after it (to remove when it changes again)."""
        value = json.dumps([[m.message_id, m.location] for m in more])
        posts = self._keys.key("posts", chain_id)

        async def write() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(posts, f"c:{message_id}", value)
                pipe.pexpire(posts, self.ttl_ms)
                await pipe.execute()

        await self._guard.run(write, None)

    async def take_continuations(self, chain_id: str, message_id: str) -> tuple[MessageLink, ...]:
        """The messages the last expansion of ``message_id`` added, forgotten as they are returned."""
        posts, field = self._keys.key("posts", chain_id), f"c:{message_id}"

        async def take() -> bytes | str | None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hget(posts, field)
                pipe.hdel(posts, field)
                raw, _ = await pipe.execute()
            return raw  # type: ignore[no-any-return]

        raw = await self._guard.run(take, None)
        try:
            pairs = json.loads(raw) if raw is not None else []
            return tuple(MessageLink(chain_id=chain_id, message_id=str(m), location=str(at)) for m, at in pairs)
        except _UNREADABLE:
            log.warning("Ignoring unreadable continuations of chain %s", chain_id)
            return ()

    async def add_thread_chain(self, thread_id: str, chain_id: str) -> None:
        """``chain_id`` was answered in thread ``thread_id`` (a follow-up there carries it as context)."""
        key = self._keys.key("thread", thread_id)

        async def write() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.rpush(key, chain_id)
                pipe.ltrim(key, -THREAD_CHAINS, -1)
                pipe.pexpire(key, self.ttl_ms)
                await pipe.execute()

        await self._guard.run(write, None)

    async def thread_chains(self, thread_id: str, *, limit: int) -> tuple[str, ...]:
        """The last ``limit`` chains answered in ``thread_id``, oldest first."""
        if limit <= 0:
            return ()
        key = self._keys.key("thread", thread_id)
        raw: list[bytes | str] = await self._guard.run(lambda: self._redis.lrange(key, -limit, -1), [])
        return tuple(_text(item) for item in raw)

    async def _fields(self, chain_id: str) -> dict[str, str]:
        key = self._keys.key("posts", chain_id)
        empty: dict[bytes | str, bytes | str] = {}
        raw = await self._guard.run(lambda: self._redis.hgetall(key), empty)
        return {_text(field): _text(value) for field, value in raw.items()}
