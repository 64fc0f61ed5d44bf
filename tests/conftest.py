"""Shared fixtures. Fixtures for one area live next to its tests; the cross-cutting ones live here."""

from collections.abc import Iterator

import pytest

from tests.fakes.groq_server import FakeGroq
from tests.redis_server import redis_url_or_server


@pytest.fixture
def fake_groq() -> Iterator[FakeGroq]:
    """A started fake Groq server (see tests/fakes/groq_server.py); stopped after the test."""
    with FakeGroq() as fake:
        yield fake


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server: ``REDIS_URL`` when set, else our own on a free loopback port for the session."""
    with redis_url_or_server() as url:
        yield url
