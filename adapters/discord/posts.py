"""Where each step of a chain was posted, kept in Redis next to the core's records so it survives a restart.

The core links a message to the step it shows (``service.link_message``); this index answers the reverse
question the adapter needs: which messages show the steps of a chain (to expand all of them from the header),
which steps share one batched message, and which continuation messages an expansion added.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis

from core.state import Keys, RedisGuard

__all__ = ["Post", "PostIndex"]


@dataclass(frozen=True, slots=True)
class Post:
    channel_id: int
    message_id: int


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class PostIndex:
    """One Redis hash per chain: ``step:<n>`` -> ``<channel>:<message>``, ``more:<message>`` -> continuations."""

    def __init__(self, *, redis: Redis, keys: Keys, guard: RedisGuard, ttl: float = 7 * 24 * 3600.0) -> None:
        self._redis = redis
        self._keys = keys
        self._guard = guard
        self._ttl_ms = max(1, round(ttl * 1000))

    def _key(self, chain_id: str) -> str:
        return self._keys.key("discord", "posts", chain_id)

    async def _write(self, chain_id: str, mapping: dict[str, str]) -> None:
        key = self._key(chain_id)

        async def write() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, mapping=mapping)  # type: ignore[arg-type]
                pipe.pexpire(key, self._ttl_ms)
                await pipe.execute()

        await self._guard.run(write, None)

    async def add(self, chain_id: str, steps: Iterable[int], post: Post) -> None:
        value = f"{post.channel_id}:{post.message_id}"
        mapping = {f"step:{index}": value for index in steps}
        if mapping:
            await self._write(chain_id, mapping)

    async def steps(self, chain_id: str) -> dict[int, Post]:
        """Step number -> the message showing it, for every step posted so far."""
        key = self._key(chain_id)
        empty: dict[bytes | str, bytes | str] = {}
        raw = await self._guard.run(lambda: self._redis.hgetall(key), empty)
        found: dict[int, Post] = {}
        for field, value in raw.items():
            name, text = _text(field), _text(value)
            if name.startswith("step:"):
                channel, message = text.split(":")
                found[int(name[5:])] = Post(channel_id=int(channel), message_id=int(message))
        return found

    async def set_more(self, chain_id: str, message_id: int, more: list[Post]) -> None:
        value = json.dumps([[p.channel_id, p.message_id] for p in more])
        await self._write(chain_id, {f"more:{message_id}": value})

    async def take_more(self, chain_id: str, message_id: int) -> list[Post]:
        """The continuation messages an expansion of ``message_id`` added, forgetting them."""
        key, field = self._key(chain_id), f"more:{message_id}"

        async def take() -> list[Post]:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hget(key, field)
                pipe.hdel(key, field)
                raw, _ = await pipe.execute()
            return [] if raw is None else [Post(channel_id=c, message_id=m) for c, m in json.loads(_text(raw))]

        return await self._guard.run(take, [])
