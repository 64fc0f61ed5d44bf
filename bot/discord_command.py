"""``thinkbot discord``: run the Discord bot, or print its invite URL with ``--invite``."""

from __future__ import annotations

import asyncio
import logging
import sys

import click
import discord

from adapters.discord import AdapterContext, PostIndex, ThinkClient, apply_endpoints, invite_url
from bot.discord_settings import DiscordSettings, load_discord_settings
from bot.logs import configure_logging, secret_values
from bot.settings import Settings, load_settings
from bot.wiring import Services, build_services, build_toggles
from core.errors import ConfigError

__all__ = ["build_client", "discord_command", "serve"]

log = logging.getLogger(__name__)


# discord.py logs interaction tokens at DEBUG in these loggers (request URLs, raw gateway events): never below INFO.
def build_client(services: Services, settings: DiscordSettings, **client_options: object) -> ThinkClient:
    """The client for ``services``; ``client_options`` go to ``discord.Client`` (tests shorten waits with them)."""
    store = services.store
    ctx = AdapterContext(
        service=services.service,
        posts=PostIndex(redis=store.redis, keys=store.keys, guard=store.guard, ttl=services.settings.record_ttl),
        options=settings.options(strategies=services.service.strategy_names),
        toggles=build_toggles(store, settings),
    )
    return ThinkClient(ctx=ctx, **client_options)


async def serve(core: Settings, settings: DiscordSettings, token: str) -> None:
    """Run the bot until it is stopped."""
    apply_endpoints(api_base=settings.api_base, gateway_url=settings.gateway_url)
    async with build_services(core) as services, build_client(services, settings) as client:
        await client.start(token)


@click.command("discord")
@click.option("--invite", is_flag=True, help="Print the URL that adds the bot to a server, and exit.")
def discord_command(invite: bool) -> None:
    """Run the Discord bot: /think in servers and DMs, steps in threads, reactions to expand them.

    Needs DISCORD_TOKEN (and GROQ_API_KEY); --invite needs DISCORD_APPLICATION_ID or the token.
    """
    try:
        settings = load_discord_settings()
        if invite:
            click.echo(invite_url(settings.invite_application_id()))
            return
        core = load_settings()
        core.require_llm()
        token = settings.require_token()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    configure_logging(level=core.log_level, fmt=core.log_format, secrets=secret_values(core, settings))
    try:
        asyncio.run(serve(core, settings, token))
    except discord.LoginFailure:
        click.echo("Error: Discord refused the token (DISCORD_TOKEN); reset it in the developer portal.", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
