"""Chain records by chain id.

They outlive the process (TTL setting, default 7 days), so a reaction on a message posted before a restart still
finds its step (which message shows which step is :mod:`core.state.messages`).

A record is two keys, so a running chain never rewrites what it wrote before: ``<prefix>:chain:<id>`` holds the head
(everything but the steps, as JSON; rewritten when the status changes) and ``<prefix>:chain:<id>:steps`` a list with
one JSON step per entry, appended as steps come. Bytes sent to Redis grow with the steps, not with their square.
A head written before the steps had a list of their own still carries them inline, and is read as it was.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from core.codec import CodecError, event_from_dict, event_to_dict
from core.events import Step
from core.llm.types import Usage
from core.state.batch import Batch
from core.state.expiring import Expiring

__all__ = ["ChainRecord", "ChainRecords", "ChainStatus", "step_blob"]

log = logging.getLogger(__name__)

ChainStatus = Literal["running", "answered", "failed", "cached"]


def step_blob(step: Step) -> str:
    return json.dumps(event_to_dict(step), separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainRecord:
    """One run or cache hit. ``error`` is the user-safe message of a failed chain."""

    chain_id: str
    question: str
    asker: str
    place: str
    strategy: str
    model: str
    status: ChainStatus = "running"
    steps: tuple[Step, ...] = ()
    answer: str | None = None
    usage: Usage = dataclasses.field(default_factory=Usage)
    error: str | None = None
    created_at: float = dataclasses.field(default_factory=time.time)

    def _body(self) -> dict[str, Any]:
        body = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        body["usage"] = {f.name: getattr(self.usage, f.name) for f in dataclasses.fields(self.usage)}
        return body

    def head_json(self) -> str:
        """Everything but the steps: what is stored at the record's key."""
        body = self._body()
        del body["steps"]
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)

    def to_json(self) -> str:
        body = self._body()
        body["steps"] = [event_to_dict(s) for s in self.steps]
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes, steps: Sequence[str | bytes] = ()) -> ChainRecord:
        """A record from its head (or a whole record) and, when stored apart, its steps' JSON."""
        body: dict[str, Any] = json.loads(raw)
        items = [json.loads(s) for s in steps] or body.get("steps", ())
        body.pop("steps", None)
        parsed = tuple(event_from_dict(s) for s in items)
        if not all(isinstance(s, Step) for s in parsed):
            raise CodecError("a chain record's steps must all be steps")
        body["usage"] = Usage(**body.get("usage", {}))
        return cls(steps=parsed, **body)  # type: ignore[arg-type]  # checked above


class ChainRecords(Expiring):
    """Store and look up records. While Redis is down writes are skipped and lookups miss."""

    def batch(self) -> Batch:
        """An empty batch on this store, for writes to send together."""
        return Batch(self._redis)

    async def send(self, batch: Batch) -> None:
        """Send ``batch``; skipped while Redis is down."""
        await self._guard.run(batch.send, None)

    def head_key(self, chain_id: str) -> str:
        return self._keys.key("chain", chain_id)

    def _keys_of(self, chain_id: str) -> tuple[str, str]:
        head = self.head_key(chain_id)
        return head, f"{head}:steps"

    async def save(self, record: ChainRecord) -> bool:
        """Write ``record`` whole (head and steps), replacing what was stored: one round trip."""
        batch = self.batch()
        self.save_into(batch, record)
        return bool(await self._guard.run(batch.send, None))

    def save_into(self, batch: Batch, record: ChainRecord) -> None:
        head, steps = self._keys_of(record.chain_id)
        batch.command("SET", head, record.head_json(), "PX", self.ttl_ms)
        batch.command("DEL", steps)
        if record.steps:
            self.append_into(batch, record.chain_id, record.steps)

    def head_into(self, batch: Batch, record: ChainRecord) -> None:
        """Rewrite only the head (the status, answer, usage...); the steps stay as appended."""
        head, steps = self._keys_of(record.chain_id)
        batch.command("SET", head, record.head_json(), "PX", self.ttl_ms)
        batch.command("PEXPIRE", steps, self.ttl_ms)

    def append_into(self, batch: Batch, chain_id: str, steps: Sequence[Step]) -> None:
        """Append ``steps`` to the record's list (which expires with the head)."""
        if steps:
            _head, key = self._keys_of(chain_id)
            batch.command("RPUSH", key, *(step_blob(s) for s in steps))
            batch.command("PEXPIRE", key, self.ttl_ms)

    async def get(self, chain_id: str) -> ChainRecord | None:
        head, steps = self._keys_of(chain_id)

        async def read() -> tuple[Any, Any]:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(head)
                pipe.lrange(steps, 0, -1)
                raw, items = await pipe.execute()
            return raw, items

        raw, items = await self._guard.run(read, (None, ()))
        if raw is None:
            return None
        try:
            return ChainRecord.from_json(raw, items)
        except (ValueError, TypeError, KeyError, CodecError):
            log.warning("Ignoring an unreadable entry at %s", head)
            return None
