"""Redis side of single-flight: a leader lease per question and one stream of events per flight.

``<prefix>:flight:<digest>`` holds the leader's token (SET NX PX, renewed while it runs);
``<prefix>:flight:<digest>:<token>`` is that flight's stream, one entry per event, kept ``stream_ttl`` after the end.
A fresh token per flight means a finished flight's stream is never mistaken for a running one.

``<prefix>:flight:<digest>:watch`` says someone in another process follows the question (set when a follower is
admitted and on every read, expiring after a lease): the leader writes its stream only while it is set, starting
with everything so far. Nobody watching, nothing is written.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from core.codec import event_from_dict, event_to_dict
from core.events import Event
from core.state.batch import Batch
from core.state.keys import Keys
from core.state.scripts import Script

__all__ = ["UNWATCHED", "WATCHED", "Claim", "FlightStore"]

_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, ARGV[1]} end
return {0, redis.call('GET', KEYS[1])}
"""

_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1 + redis.call('EXISTS', KEYS[2])
"""

_PUBLISH = """
local id
for i = 2, #ARGV do id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return id
"""

_FINISH = """
if ARGV[3] ~= '1' and redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""

WATCHED, UNWATCHED = 2, 1
""":meth:`FlightStore.renew` and ``finish`` replies: ``WATCHED`` means someone follows and nothing was published yet
(``finish`` then released nothing: publish everything, then finish again)."""


@dataclass(frozen=True, slots=True)
class Claim:
    """The lease as taken elsewhere (the admission script): ``lead`` with our ``token``, or the holder's token."""

    lead: bool
    token: str | None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class FlightStore:
    """Lease and stream operations; each is one round trip. Times are seconds."""

    def __init__(self, *, redis: Redis, keys: Keys, lease_ttl: float, stream_ttl: float, block: float) -> None:
        self._redis = redis
        self._keys = keys
        self.lease_ms = max(1, round(lease_ttl * 1000))
        self._stream_ms = max(1, round(stream_ttl * 1000))
        self._block_ms = max(1, round(block * 1000))
        self._acquire = Script(redis=redis, source=_ACQUIRE)
        self._renew = Script(redis=redis, source=_RENEW)
        self._publish = Script(redis=redis, source=_PUBLISH)
        self._finish = Script(redis=redis, source=_FINISH)

    def lease_key(self, digest: str) -> str:
        return self._keys.key("flight", digest)

    def watch_key(self, digest: str) -> str:
        return self._keys.key("flight", digest, "watch")

    def stream_key(self, digest: str, token: str) -> str:
        return self._stream(digest, token)

    @staticmethod
    def events(items: Sequence[tuple[Any, dict[bytes, bytes]]]) -> list[tuple[str, Event]]:
        """Stream entries as ``(id, event)``."""
        return [(_text(entry_id), event_from_dict(json.loads(fields[b"e"]))) for entry_id, fields in items]

    def _stream(self, digest: str, token: str) -> str:
        return self._keys.key("flight", digest, token)

    async def acquire(self, digest: str) -> tuple[bool, str | None]:
        """``(True, my_token)`` when we lead now, else ``(False, leader_token)``; the token is ``None`` when the
        lease vanished between the two steps (try again)."""
        token = secrets.token_hex(12)
        won, holder = await self._acquire([self.lease_key(digest)], [token, self.lease_ms])
        return bool(won), None if holder is None else _text(holder)

    async def holder(self, digest: str) -> str | None:
        raw = await self._redis.get(self.lease_key(digest))
        return None if raw is None else _text(raw)

    async def renew(self, digest: str, token: str) -> int:
        """``0``: the lease is no longer ours; else renewed, ``WATCHED`` when someone follows from elsewhere."""
        return int(await self._renew([self.lease_key(digest), self.watch_key(digest)], [token, self.lease_ms]))

    async def publish(self, digest: str, token: str, *events: Event) -> None:
        """Append ``events`` to the flight's stream, in order, in one round trip."""
        batch = Batch(self._redis)
        self.publish_into(batch, digest, token, events)
        await batch.send()

    def publish_into(self, batch: Batch, digest: str, token: str, events: Sequence[Event]) -> None:
        if events:
            blobs = [json.dumps(event_to_dict(e), separators=(",", ":"), ensure_ascii=False) for e in events]
            batch.script(self._publish, [self._stream(digest, token)], [self.lease_ms + self._stream_ms, *blobs])

    def watched_into(self, batch: Batch, digest: str) -> int:
        """Ask in ``batch`` whether anyone follows; the reply's index in the batch (1 when watched, else 0)."""
        batch.command("EXISTS", self.watch_key(digest))
        return len(batch) - 1

    async def finish(self, digest: str, token: str, *, published: bool = True) -> int:
        """Release the lease (if still ours) and let the stream expire ``stream_ttl`` from now; unless nothing was
        ``published`` and someone follows: then ``WATCHED``, and nothing is released."""
        batch = Batch(self._redis)
        self.finish_into(batch, digest, token, published=published)
        return int((await batch.send())[0])

    def finish_into(self, batch: Batch, digest: str, token: str, *, published: bool) -> int:
        """:meth:`finish` in ``batch``; the reply's index."""
        keys = [self.lease_key(digest), self._stream(digest, token), self.watch_key(digest)]
        batch.script(self._finish, keys, [token, self._stream_ms, "1" if published else "0"])
        return len(batch) - 1

    async def read(self, digest: str, token: str, after: str, *, wait: bool) -> list[tuple[str, Event]]:
        """Events after stream id ``after`` ("0-0" for all); with ``wait``, block up to ``block`` for the first.

        Each read also says (for another lease) that someone watches, so the leader keeps publishing."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(self.watch_key(digest), "1", px=self.lease_ms)
            pipe.xread({self._stream(digest, token): after}, count=100, block=self._block_ms if wait else None)
            _, reply = await pipe.execute()
        entries: list[tuple[str, Event]] = []
        for _stream, items in reply or ():
            entries.extend(self.events(items))
        return entries
