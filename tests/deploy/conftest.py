"""Fixtures for the deploy tests: the fake Slack and Discord, and an HTTP client for the health endpoints. The bot
itself starts through ``tests.run_kit`` (in-process) or ``tests.deploy.process`` (a real ``thinkbot`` process)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.adapters.slack.conftest import _no_proxies, slack  # noqa: F401 - the same fixtures here
from tests.fakes.discord import FakeDiscord


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(rate_window=0.2) as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
