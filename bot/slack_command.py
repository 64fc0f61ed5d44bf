"""``thinkbot slack``: run the Slack bot over Socket Mode (``SLACK_APP_TOKEN`` set) or HTTP (``PORT``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable

import aiohttp
import click
from slack_sdk.errors import SlackApiError

from adapters.slack import SlackBot, web_client
from adapters.slack.modes import Served, serve_http, serve_socket_mode
from bot.logs import configure_logging, secret_values
from bot.settings import Settings, load_settings
from bot.slack_settings import SlackSettings, load_slack_settings
from bot.wiring import build_services, build_toggles
from core.errors import ConfigError

__all__ = ["serve", "slack_command"]

log = logging.getLogger(__name__)

# At DEBUG these log whole payloads (with Slack's verification token) and websocket URLs: keep them at INFO.


async def serve(
    core: Settings,
    settings: SlackSettings,
    *,
    stop: asyncio.Event | None = None,
    ready: Callable[[Served], None] | None = None,
) -> None:
    """Run until ``stop`` is set (or SIGTERM/SIGINT); ``ready`` hears where it serves once it does."""
    credentials = settings.credentials()
    stop = stop or asyncio.Event()
    async with build_services(core) as services, aiohttp.ClientSession() as session:
        options = settings.options()
        client = web_client(token=credentials.bot_token, base_url=settings.api_url, options=options, session=session)
        try:
            me = await client.auth_test()
        except SlackApiError as exc:
            raise ConfigError(f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error')}).") from None
        log.info("slack: signed in as %s in team %s", me.get("user"), me.get("team"))
        secret = credentials.signing_secret
        toggles = build_toggles(services.store, settings)
        bot = SlackBot(service=services.service, client=client, options=options, toggles=toggles, signing_secret=secret)
        try:
            async with _listening(bot, settings, credentials.app_token) as served, _signals(stop):
                log.info("slack: serving in %s mode%s", served.mode, f" at {served.url}" if served.url else "")
                if ready is not None:
                    ready(served)
                await stop.wait()
        finally:
            await bot.aclose()


def _listening(
    bot: SlackBot, settings: SlackSettings, app_token: str | None
) -> contextlib.AbstractAsyncContextManager[Served]:
    if app_token is not None:
        port = settings.port if settings.health else None
        return serve_socket_mode(bot, app_token=app_token, host=settings.host, port=port)
    return serve_http(bot, host=settings.host, port=settings.port)


@contextlib.asynccontextmanager
async def _signals(stop: asyncio.Event) -> AsyncIterator[None]:
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


@click.command("slack")
def slack_command() -> None:
    """Run the Slack bot: @mentions, DMs and /think, steps in threads, reactions to expand them.

    Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode on $PORT at /slack/events (needs
    SLACK_SIGNING_SECRET). Always needs SLACK_BOT_TOKEN (and GROQ_API_KEY).
    """
    try:
        settings = load_slack_settings()
        settings.credentials()
        core = load_settings()
        core.require_llm()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    configure_logging(level=core.log_level, fmt=core.log_format, secrets=secret_values(core, settings))
    try:
        asyncio.run(serve(core, settings))
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
