"""Fixtures for the Redis state tests: a real redis-server (``redis_url``, tests/conftest.py) and the embedded store.

Every test gets its own key prefix and removes its keys afterwards, so a shared REDIS_URL stays clean.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.state import RedisConfig, Store, connect


async def _open(url: str | None, **config: Any) -> Store:
    return connect(RedisConfig(url=url, key_prefix=f"test{uuid.uuid4().hex[:12]}", **config))


async def _drop(store: Store) -> None:
    if not store.embedded and store.guard.available:
        keys = [key async for key in store.redis.scan_iter(match=store.keys.pattern(), count=500)]
        if keys:
            await store.redis.delete(*keys)
    await store.close()


@pytest.fixture(params=["redis", "embedded"])
async def store(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[Store]:
    """The same behavioural test against a real redis-server and the embedded store."""
    opened = await _open(redis_url if request.param == "redis" else None)
    yield opened
    await _drop(opened)


@pytest.fixture
async def real_store(redis_url: str) -> AsyncIterator[Store]:
    """Only the real server: for tests that span OS processes."""
    opened = await _open(redis_url)
    yield opened
    await _drop(opened)


@pytest.fixture
def parts(store: Store) -> dict[str, Any]:
    return {"redis": store.redis, "keys": store.keys, "guard": store.guard}
