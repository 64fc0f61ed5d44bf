"""Work for reasoning workers: one Redis Streams consumer group that gateways add jobs to and workers take them from.

    <prefix>:jobs     a stream of {"job": <JSON object>} entries; consumer group ``workers``

A job taken by a worker stays pending (the group's PEL) under that worker's consumer name until it is acked. While
the worker runs it, :meth:`JobQueue.heartbeat` re-claims the entry for the same consumer (``XCLAIM ... JUSTID``),
which resets its idle time without counting a delivery; so an entry idle for longer than ``claim_after`` seconds
belongs to a worker that died, and the next :meth:`JobQueue.take` of any worker claims it (``XAUTOCLAIM``), with
its delivery count raised. An acked job is deleted from the stream too, so the stream holds only waiting and
running work (trimmed at ``max_length``, approximately, should nobody take it).

An entry that cannot be read (no ``job`` field, or not a JSON object) is acked and dropped with one log line that
names its id only: a payload holds users' questions, which never reach the log.

While Redis is unreachable :meth:`JobQueue.enqueue` raises :class:`~core.state.guard.StoreUnavailableError` (the
caller says so to the user), :meth:`JobQueue.take` waits ``block`` seconds and finds nothing, a heartbeat keeps
the job (nobody can claim it meanwhile) and an ack is skipped (the job runs again once Redis is back).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError
from redis.utils import str_if_bytes as _text

from core.state.guard import RedisGuard, StoreUnavailableError
from core.state.keys import Keys
from core.state.scripts import Script

__all__ = ["GROUP", "Job", "JobQueue"]

log = logging.getLogger(__name__)

GROUP = "workers"
_FIELD = b"job"

# Re-claim the entry for its consumer (idle time back to 0, delivery count kept), only while that consumer still
# owns it: a worker presumed dead and taken over must not take the job back.
_HEARTBEAT = """
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #pending == 0 or pending[1][2] ~= ARGV[2] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
"""

# Forget a consumer that holds no pending entry (deleting one that does would drop its entries from the group).
_RETIRE = """
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #pending > 0 then return 0 end
return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2]) + 1
"""


@dataclass(frozen=True, slots=True)
class Job:
    """One taken job: its stream entry, its payload as enqueued, and how often it was delivered (1 the first time;
    2 or more once a worker died with it)."""

    entry_id: str
    payload: dict[str, Any]
    deliveries: int


class JobQueue:
    """``await enqueue(payload)`` on a gateway; ``take``, ``heartbeat`` and ``ack`` on a worker (see the module).

    ``claim_after``: seconds a job's entry may stay idle (no heartbeat) before another worker claims it;
    ``max_block``: the longest one blocking read waits, kept below the client's socket timeout;
    ``max_length``: about how many entries the stream keeps.
    """

    def __init__(
        self,
        *,
        redis: Redis,
        keys: Keys,
        guard: RedisGuard,
        claim_after: float = 30.0,
        max_block: float = 2.0,
        max_length: int = 100_000,
    ) -> None:
        if claim_after <= 0:
            raise ValueError("claim_after must be positive")
        self.claim_after = claim_after
        self._redis = redis
        self._guard = guard
        self._stream = keys.key("jobs")
        self._max_block = max_block
        self._max_length = max_length
        self._claim_ms = max(1, round(claim_after * 1000))
        self._heartbeat = Script(redis=redis, source=_HEARTBEAT)
        self._retire = Script(redis=redis, source=_RETIRE)
        self._group_ready = False
        self._cursor = "0-0"
        self._next_sweep = 0.0

    @property
    def stream(self) -> str:
        return self._stream

    async def enqueue(self, payload: Mapping[str, Any]) -> str:
        """Add a job; its entry id. ``payload`` must be JSON-serialisable."""
        body = json.dumps(dict(payload), separators=(",", ":"))

        async def add() -> str:
            await self._ensure_group()
            entry = await self._redis.xadd(self._stream, {_FIELD: body}, maxlen=self._max_length, approximate=True)
            return _text(entry)

        return await self._guard.call(add)

    async def take(self, consumer: str, *, block: float) -> Job | None:
        """The next job for ``consumer``: one a dead worker left (idle past ``claim_after``) first, else a new one,
        waiting up to ``block`` seconds (at most ``max_block``) for it; ``None`` when none came."""
        wait = max(0.0, min(block, self._max_block))
        try:
            while True:
                found = await self._guard.call(lambda: self._take(consumer, wait))
                if found is None:
                    return None
                entry_id, fields, deliveries = found
                job = self._parse(entry_id, fields, deliveries)
                if job is not None:
                    return job
                await self._guard.call(lambda: self._ack(entry_id))  # noqa: B023 - awaited in this iteration
        except StoreUnavailableError:
            await asyncio.sleep(wait)  # the guard logged the outage; do not spin while it lasts
            return None

    async def heartbeat(self, job: Job, consumer: str) -> bool:
        """Tell the group ``consumer`` still runs ``job``; ``False`` if another worker has claimed it since (then
        stop running it here, and do not ack it)."""
        args = [GROUP, consumer, job.entry_id]
        owned = await self._guard.run(lambda: self._heartbeat([self._stream], args), 1)
        return bool(owned)

    async def ack(self, job: Job) -> None:
        """``job`` is done (answered, failed or given up): remove it from the group and the stream."""
        await self._guard.run(lambda: self._ack(job.entry_id), None)

    async def retire(self, consumer: str) -> bool:
        """Forget ``consumer`` when it leaves, unless it still holds a job (which another worker then claims)."""
        done = await self._guard.run(lambda: self._retire([self._stream], [GROUP, consumer]), 0)
        return bool(done)

    async def pending(self) -> int:
        """Jobs taken and not yet acked, across every worker."""
        summary = await self._guard.run(lambda: self._redis.xpending(self._stream, GROUP), None)
        return int(summary["pending"]) if summary else 0

    async def _take(self, consumer: str, block: float) -> tuple[str, Any, int] | None:
        await self._ensure_group()
        try:
            if time.monotonic() >= self._next_sweep:
                claimed = await self._claim_idle(consumer)
                if claimed is not None:
                    return claimed
            reply: Any = await self._redis.xreadgroup(
                GROUP, consumer, {self._stream: ">"}, count=1, block=max(1, round(block * 1000))
            )
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self._group_ready = False  # the stream was deleted under us: created again on the next take
            return None
        for _stream, entries in reply or ():
            for entry_id, fields in entries:
                return _text(entry_id), fields, 1
        return None

    async def _claim_idle(self, consumer: str) -> tuple[str, Any, int] | None:
        """One entry idle past ``claim_after``, claimed for ``consumer``; its fields and delivery count.

        XAUTOCLAIM looks at a bounded slice of the pending list per call, so the scan resumes where the last one
        stopped; once it has gone round without finding anything, the next sweep waits a quarter of ``claim_after``.
        """
        reply = await self._redis.xautoclaim(
            self._stream, GROUP, consumer, self._claim_ms, start_id=self._cursor, count=1
        )
        cursor, entries = _text(reply[0]), reply[1]
        self._cursor = cursor
        for entry_id, fields in entries:
            if entry_id is None:  # trimmed away while pending (Redis 7 drops these itself; 6.2 lists them as nil)
                continue
            entry = _text(entry_id)
            deliveries = await self._deliveries(entry)
            return entry, fields, deliveries
        if cursor in ("0-0", "0"):
            self._next_sweep = time.monotonic() + self.claim_after / 4
        return None

    async def _deliveries(self, entry_id: str) -> int:
        rows = await self._redis.xpending_range(self._stream, GROUP, min=entry_id, max=entry_id, count=1)
        return int(rows[0]["times_delivered"]) if rows else 1

    async def _ack(self, entry_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, GROUP, entry_id)
            pipe.xdel(self._stream, entry_id)
            await pipe.execute()

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def _parse(self, entry_id: str, fields: Any, deliveries: int) -> Job | None:
        try:
            found = dict(fields)
            payload = json.loads(found[_FIELD] if _FIELD in found else found[_FIELD.decode()])
        except (KeyError, TypeError, ValueError):
            payload = None
        if not isinstance(payload, dict):
            log.warning("Dropping unreadable job entry %s from %s", entry_id, self._stream)
            return None
        return Job(entry_id=entry_id, payload=payload, deliveries=deliveries)
