"""The bot started as production starts it, ``bot.run.run`` over a ``Plan``, in a task against the fakes.
The adapter tests and the deploy tests all start it here.

    async with running(make_plan(fake_groq, redis_url, slack_fake=slack)) as bot:
        bot.url, bot.started.slack, await bot.stopped()

Keyword arguments of ``make_plan`` are ``Settings`` fields; ``slack_values`` and ``discord_values`` are the
adapters' settings fields. Each plan gets its own key prefix unless given one, and its keys are removed when the
bot stops unless ``running(..., keep_state=True)`` (the next bot with that prefix is the same bot restarted).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bot.discord_settings import DiscordSettings
from bot.run import Plan, Started, run
from bot.settings import Settings
from bot.slack_settings import SlackSettings
from core.drain import DrainReport
from core.state import connect
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.service_kit import MODEL, remove_keys, settings_for

__all__ = ["MODEL", "Running", "discord_settings_for", "make_plan", "running", "slack_settings_for"]

READY_TIMEOUT = 5.0


def slack_settings_for(fake: FakeSlack, *, mode: Literal["socket", "http"] = "socket", **values: Any) -> SlackSettings:
    """Settings for ``fake``'s workspace in ``mode``, listening on a free loopback port, unpaced unless told."""
    ws = fake.workspace
    tokens = {"app_token": ws.app_token} if mode == "socket" else {"signing_secret": ws.signing_secret}
    fields: dict[str, Any] = {"bot_token": ws.bot_token, "api_url": fake.api_url, "host": "127.0.0.1", "port": 0}
    fields["post_interval"] = 0
    return SlackSettings(_env_file=None, **(fields | tokens | values))


def discord_settings_for(fake: FakeDiscord, **values: Any) -> DiscordSettings:
    fields: dict[str, Any] = {"token": fake.token, "api_base": fake.api_base, "gateway_url": fake.gateway_url}
    return DiscordSettings(_env_file=None, **(fields | values))


def make_plan(
    groq: FakeGroq,
    redis_url: str | None,
    *,
    slack_fake: FakeSlack | None = None,
    discord_fake: FakeDiscord | None = None,
    slack_mode: Literal["socket", "http"] = "socket",
    slack_values: Mapping[str, Any] | None = None,
    discord_values: Mapping[str, Any] | None = None,
    **core: Any,
) -> Plan:
    """Core settings pointed at ``groq`` (health on a free port) and each given fake's adapter settings."""
    core.setdefault("health_port", 0)
    slack = discord = None
    if slack_fake is not None:
        slack = slack_settings_for(slack_fake, mode=slack_mode, **(slack_values or {}))
    if discord_fake is not None:
        discord = discord_settings_for(discord_fake, **(discord_values or {}))
    return Plan(core=settings_for(groq=groq, redis_url=redis_url, **core), discord=discord, slack=slack)


@dataclass
class Running:
    """The bot in a task: what started (its health URL, each adapter's bot), the event that stops it, the task."""

    started: Started
    stop: asyncio.Event
    task: asyncio.Task[DrainReport]

    @property
    def url(self) -> str:
        assert self.started.url is not None, "planned without a health port"
        return self.started.url

    async def stopped(self, timeout: float = 10.0) -> DrainReport:  # noqa: ASYNC109
        self.stop.set()
        return await asyncio.wait_for(self.task, timeout)


@contextlib.asynccontextmanager
async def running(plan: Plan, *, keep_state: bool = False, **options: Any) -> AsyncIterator[Running]:
    """Run ``plan`` until the block ends (or the test stops it), from when its health server listens and Discord,
    when planned, is ready; ``options`` go to ``run`` (``metrics``, ``discord_options``)."""
    stop = asyncio.Event()
    heard: asyncio.Future[Started] = asyncio.get_running_loop().create_future()
    options.setdefault("discord_options", {"guild_ready_timeout": 0.05})
    task = asyncio.create_task(run(plan, stop=stop, ready=heard.set_result, **options))
    try:
        started = await _before(heard, task)
        if started.discord is not None:
            await _before(started.discord.wait_until_ready(), task)
        yield Running(started=started, stop=stop, task=task)
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, 10)
        finally:
            if not keep_state:
                await _forget(plan.core)


async def _before(step: Awaitable[Any], task: asyncio.Task[DrainReport]) -> Any:
    """``step``'s result, unless ``task`` ends first (then why it ended) or READY_TIMEOUT passes."""
    waiting = asyncio.ensure_future(step)
    done, _ = await asyncio.wait([waiting, task], timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    if waiting in done:
        return waiting.result()
    waiting.cancel()
    if task in done:
        task.result()
        raise AssertionError("the bot stopped before it was ready")
    raise TimeoutError(f"the bot was not ready after {READY_TIMEOUT}s")


async def _forget(settings: Settings) -> None:
    """Remove the keys the bot left under its prefix in Redis."""
    if settings.redis_url is None:
        return
    store = connect(settings.redis_config())
    try:
        await remove_keys(store)
    finally:
        await store.close()
