"""The Discord part of ``thinkbot run`` (:mod:`bot.run`): the client logged in and its gateway connected, for as
long as the run lasts. Imported only when Discord runs, with discord.py."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import discord

from adapters.discord.client import ThinkClient
from adapters.discord.context import AdapterContext
from adapters.discord.endpoints import apply_endpoints
from bot.discord_settings import DiscordSettings
from bot.health import HealthServer
from bot.wiring import Services, build_toggles
from core.drain import GracefulService
from core.errors import ConfigError
from core.metrics import Metrics

__all__ = ["discord_adapter", "rate_limit_trace"]


@contextlib.asynccontextmanager
async def discord_adapter(
    services: Services,
    graceful: GracefulService,
    settings: DiscordSettings,
    health: HealthServer,
    options: Mapping[str, Any],
) -> AsyncIterator[tuple[ThinkClient, asyncio.Task[None]]]:
    """Log in and connect the gateway in a task (yielded with the client, to watch); close the client on the way out.

    discord.py's addresses are process-wide: they are set for the block and put back after it.
    """
    previous = apply_endpoints(api_base=settings.api_base, gateway_url=settings.gateway_url)
    store = services.store
    ctx = AdapterContext(
        service=graceful,
        options=settings.options(
            strategies=graceful.strategy_names,
            history_turns=services.settings.history_turns,
            max_question_chars=services.settings.max_question_chars,
            default_strategy=services.settings.strategy,
            budget_cap=services.settings.daily_token_budget,
        ),
        toggles=build_toggles(store, settings),
    )
    client = ThinkClient(ctx=ctx, http_trace=rate_limit_trace(services.metrics, "discord"), **options)
    connection: asyncio.Task[None] | None = None
    try:
        try:
            await client.login(settings.require_token())
        except discord.LoginFailure:
            raise ConfigError("Discord refused the token (DISCORD_TOKEN); reset it in the developer portal.") from None
        connection = asyncio.create_task(client.connect(), name="discord-gateway")

        async def connected() -> bool:
            return client.is_ready() and not client.is_closed()

        health.checks["discord"] = connected
        yield client, connection
    finally:
        await client.close()
        if connection is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await connection
        apply_endpoints(api_base=previous.api_base, gateway_url=previous.gateway_url)


def rate_limit_trace(metrics: Metrics, platform: str) -> aiohttp.TraceConfig:
    """A trace that counts the 429s ``platform`` answers (those discord.py retries included) in ``metrics``."""

    async def on_end(session: aiohttp.ClientSession, context: object, params: aiohttp.TraceRequestEndParams) -> None:
        if params.response.status == 429:
            metrics.platform_rate_limited(platform)

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    return trace
