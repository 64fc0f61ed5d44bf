"""Chain records by chain id.

They outlive the process (TTL setting, default 7 days), so a reaction on a message posted before a restart still
finds its step (which message shows which step is :mod:`core.state.messages`). Records are written whole; the
service saves one when a chain starts and again as it changes.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Literal

from core.codec import CodecError, event_from_dict, event_to_dict
from core.events import Step
from core.llm.types import Usage
from core.state.expiring import Expiring

__all__ = ["ChainRecord", "ChainRecords", "ChainStatus"]

log = logging.getLogger(__name__)

ChainStatus = Literal["running", "answered", "failed", "cached"]


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

    def to_json(self) -> str:
        body = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        body["steps"] = [event_to_dict(s) for s in self.steps]
        body["usage"] = {f.name: getattr(self.usage, f.name) for f in dataclasses.fields(self.usage)}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> ChainRecord:
        body: dict[str, Any] = json.loads(raw)
        steps = tuple(event_from_dict(s) for s in body.pop("steps", ()))
        if not all(isinstance(s, Step) for s in steps):
            raise CodecError("a chain record's steps must all be steps")
        body["usage"] = Usage(**body.get("usage", {}))
        return cls(steps=steps, **body)  # type: ignore[arg-type]  # checked above


class ChainRecords(Expiring):
    """Store and look up records. While Redis is down writes are skipped and lookups miss."""

    async def save(self, record: ChainRecord) -> bool:
        key, blob = self._keys.key("chain", record.chain_id), record.to_json()
        return bool(await self._guard.run(lambda: self._redis.set(key, blob, px=self._ttl_ms), None))

    async def get(self, chain_id: str) -> ChainRecord | None:
        key = self._keys.key("chain", chain_id)
        raw = await self._guard.run(lambda: self._redis.get(key), None)
        if raw is None:
            return None
        try:
            return ChainRecord.from_json(raw)
        except (ValueError, TypeError, KeyError, CodecError):
            log.warning("Ignoring an unreadable entry at %s", key)
            return None
