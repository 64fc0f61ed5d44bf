"""The Slack part of ``thinkbot run`` (:mod:`bot.run`): signed in, then over Socket Mode or an HTTP-mode app for
the run's server. Imported only when Slack runs, with bolt and slack_sdk."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from slack_sdk.errors import SlackApiError

from adapters.slack.app import SlackBot, web_client
from adapters.slack.modes import EVENTS_PATH, socket_mode
from bot.health import HealthServer
from bot.slack_settings import SlackSettings
from core.drain import GracefulService
from core.errors import ConfigError
from core.strategies.registry import DEFAULT_STRATEGY
from core.toggles import Toggles

__all__ = ["slack_adapter"]

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def slack_adapter(
    graceful: GracefulService,
    settings: SlackSettings,
    health: HealthServer,
    toggles: Toggles,
    *,
    history_turns: int,
    default_strategy: str = DEFAULT_STRATEGY,
    budget_cap: int = 0,
) -> AsyncIterator[tuple[SlackBot, web.Application | None]]:
    """Sign in, then open Socket Mode (yields the bot and ``None``) or build the HTTP-mode app to serve (with it)."""
    credentials = settings.credentials()
    metrics = health.metrics
    options = settings.options(history_turns=history_turns, default_strategy=default_strategy, budget_cap=budget_cap)
    async with aiohttp.ClientSession() as session:
        client = web_client(
            token=credentials.bot_token,
            base_url=settings.api_url,
            options=options,
            session=session,
            on_rate_limited=lambda: metrics.platform_rate_limited("slack"),
        )
        try:
            me = await client.auth_test()
        except SlackApiError as exc:
            raise ConfigError(f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error')}).") from None
        log.info("slack: signed in as %s in team %s (%s mode)", me.get("user"), me.get("team"), settings.mode)
        bot = SlackBot(
            service=graceful,
            client=client,
            options=options,
            toggles=toggles,
            signing_secret=credentials.signing_secret,
        )
        try:
            if credentials.app_token is None:
                yield bot, bot.web_app(path=EVENTS_PATH)
                return
            async with socket_mode(bot, app_token=credentials.app_token) as connected:
                health.checks["slack"] = connected
                yield bot, None
        finally:
            await bot.aclose()
