"""Fixtures for the deploy tests: the fake Slack and Discord, and ``thinkbot run`` planned against them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.discord_settings import DiscordSettings
from bot.run_command import Plan, run
from bot.shutdown import DrainReport
from bot.slack_settings import SlackSettings
from tests.adapters.slack.conftest import _no_proxies, slack  # noqa: F401 - the same fixtures here
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.service_kit import settings_for

MODEL = "meta-llama/llama-4-scout-17b-16e-instruct"


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(rate_window=0.2) as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def make_plan(
    groq: FakeGroq,
    redis_url: str | None,
    *,
    slack_fake: FakeSlack | None = None,
    discord_fake: FakeDiscord | None = None,
    **core: Any,
) -> Plan:
    """Core settings pointed at ``groq`` (health on a free port) and each given fake's adapter settings."""
    core.setdefault("health_port", 0)
    settings = settings_for(groq=groq, redis_url=redis_url, **core)
    slack_settings = None
    if slack_fake is not None:
        ws = slack_fake.workspace
        slack_settings = SlackSettings(  # type: ignore[call-arg]
            _env_file=None,
            bot_token=ws.bot_token,
            app_token=ws.app_token,
            api_url=slack_fake.api_url,
            host="127.0.0.1",
            post_interval=0,
        )
    discord_settings = None
    if discord_fake is not None:
        discord_settings = DiscordSettings(  # type: ignore[call-arg]
            _env_file=None,
            token=discord_fake.token,
            api_base=discord_fake.api_base,
            gateway_url=discord_fake.gateway_url,
        )
    return Plan(core=settings, discord=discord_settings, slack=slack_settings)


@dataclass
class Running:
    """``thinkbot run`` in a task: its health URL, the event that stops it, and the task (its drain report)."""

    url: str
    stop: asyncio.Event
    task: asyncio.Task[DrainReport]

    async def stopped(self, timeout: float = 10.0) -> DrainReport:  # noqa: ASYNC109
        self.stop.set()
        return await asyncio.wait_for(self.task, timeout)


@contextlib.asynccontextmanager
async def running(plan: Plan, **options: Any) -> AsyncIterator[Running]:
    """Run ``plan`` until the block ends (or the test stops it); wait until the health server listens."""
    stop, ready, urls = asyncio.Event(), asyncio.Event(), []

    def heard(url: str | None) -> None:
        urls.append(url)
        ready.set()

    options.setdefault("discord_options", {"guild_ready_timeout": 0.05})
    task = asyncio.create_task(run(plan, stop=stop, ready=heard, **options))
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait([task, waiting], return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if task.done():
        task.result()
    try:
        yield Running(url=urls[0], stop=stop, task=task)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
