"""The Redis a benchmark runs against: ``REDIS_URL`` when set, else a throwaway redis-server on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from tests.redis_server import RedisServer

__all__ = ["redis_target"]


@contextmanager
def redis_target() -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    with RedisServer() as server:
        yield server.url
