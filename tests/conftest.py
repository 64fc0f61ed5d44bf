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


@pytest.fixture(autouse=True)
def _restore_discord_endpoints() -> Iterator[None]:
    """discord.py's REST base and gateway are process-wide; a test that points them at a fake must not leak."""
    from adapters.discord.endpoints import apply_endpoints, current_endpoints

    before = current_endpoints()
    yield
    if current_endpoints() != before:
        apply_endpoints(api_base=before.api_base, gateway_url=before.gateway_url)
