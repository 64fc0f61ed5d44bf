"""Shared fixtures. Fixtures for one area live next to its tests; the cross-cutting ones live here."""

import os
from collections.abc import Iterator

import pytest

from tests.fakes.groq_server import FakeGroq
from tests.redis_server import RedisServer


@pytest.fixture
def fake_groq() -> Iterator[FakeGroq]:
    """A started fake Groq server (see tests/fakes/groq_server.py); stopped after the test."""
    with FakeGroq() as fake:
        yield fake


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server: ``REDIS_URL`` when set, else our own on a free loopback port for the session."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    with RedisServer() as server:
        yield server.url
