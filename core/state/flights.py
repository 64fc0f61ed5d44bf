"""Redis side of single-flight: a leader lease per question and one stream of events per flight.

``<prefix>:flight:<digest>`` holds the leader's token (SET NX PX, renewed while it runs);
``<prefix>:flight:<digest>:<token>`` is that flight's stream, one entry per event, kept ``stream_ttl`` after the end.
A fresh token per flight means a finished flight's stream is never mistaken for a running one.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from redis.asyncio import Redis

from core.codec import event_from_dict, event_to_dict
from core.events import Event
from core.state.keys import Keys
from core.state.scripts import Script

__all__ = ["FlightStore"]

_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, ARGV[1]} end
return {0, redis.call('GET', KEYS[1])}
"""

_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""

_PUBLISH = """
local id
for i = 2, #ARGV do id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return id
"""

_FINISH = """
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class FlightStore:
    """Lease and stream operations; each is one round trip. Times are seconds."""

    def __init__(self, *, redis: Redis, keys: Keys, lease_ttl: float, stream_ttl: float, block: float) -> None:
        self._redis = redis
        self._keys = keys
        self._lease_ms = max(1, round(lease_ttl * 1000))
        self._stream_ms = max(1, round(stream_ttl * 1000))
        self._block_ms = max(1, round(block * 1000))
        self._acquire = Script(redis=redis, source=_ACQUIRE)
        self._renew = Script(redis=redis, source=_RENEW)
        self._publish = Script(redis=redis, source=_PUBLISH)
        self._finish = Script(redis=redis, source=_FINISH)

    def _lease(self, digest: str) -> str:
        return self._keys.key("flight", digest)

    def _stream(self, digest: str, token: str) -> str:
        return self._keys.key("flight", digest, token)

    async def acquire(self, digest: str) -> tuple[bool, str | None]:
        """``(True, my_token)`` when we lead now, else ``(False, leader_token)``; the token is ``None`` when the
        lease vanished between the two steps (try again)."""
        token = secrets.token_hex(12)
        won, holder = await self._acquire([self._lease(digest)], [token, self._lease_ms])
        return bool(won), None if holder is None else _text(holder)

    async def holder(self, digest: str) -> str | None:
        raw = await self._redis.get(self._lease(digest))
        return None if raw is None else _text(raw)

    async def renew(self, digest: str, token: str) -> bool:
        return bool(await self._renew([self._lease(digest)], [token, self._lease_ms]))

    async def publish(self, digest: str, token: str, *events: Event) -> None:
        """Append ``events`` to the flight's stream, in order, in one round trip."""
        blobs = [json.dumps(event_to_dict(e), separators=(",", ":"), ensure_ascii=False) for e in events]
        await self._publish([self._stream(digest, token)], [self._lease_ms + self._stream_ms, *blobs])

    async def finish(self, digest: str, token: str) -> None:
        """Release the lease (if still ours) and let the stream expire ``stream_ttl`` from now."""
        await self._finish([self._lease(digest), self._stream(digest, token)], [token, self._stream_ms])

    async def read(self, digest: str, token: str, after: str, *, wait: bool) -> list[tuple[str, Event]]:
        """Events after stream id ``after`` ("0-0" for all); with ``wait``, block up to ``block`` for the first."""
        reply: Any = await self._redis.xread(
            {self._stream(digest, token): after}, count=100, block=self._block_ms if wait else None
        )
        entries: list[tuple[str, Event]] = []
        for _stream, items in reply or ():
            for entry_id, fields in items:
                entries.append((_text(entry_id), event_from_dict(json.loads(fields[b"e"]))))
        return entries
