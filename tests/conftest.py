"""Shared fixtures. Fixtures for one area live next to its tests; the cross-cutting ones live here."""

from collections.abc import Iterator

import pytest

from tests.fakes.groq_server import FakeGroq


@pytest.fixture
def fake_groq() -> Iterator[FakeGroq]:
    """A started fake Groq server (see tests/fakes/groq_server.py); stopped after the test."""
    with FakeGroq() as fake:
        yield fake
