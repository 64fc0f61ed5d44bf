"""``thinkbot run``: every adapter whose credentials are set, in one process, with the operations around them.

The one way the bot starts: ``thinkbot discord`` and ``thinkbot slack`` are ``run --only discord|slack`` (both
call :func:`serve`). One set of services (Redis, the LLM client, one :class:`~core.metrics.Metrics`) serves Discord
and Slack alike; ``/healthz``, ``/readyz`` and ``/metrics`` are served on ``THINKBOT_HEALTH_PORT`` or ``$PORT``
(sharing Slack's HTTP-mode server, with ``/slack/events``, when Slack runs over HTTP); logs go to stderr as text or
JSON, redacted; SIGTERM drains the chains (see :mod:`core.drain`). The Procfile and fly.toml run this command,
one adapter per process (``--only``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import click
import discord
from aiohttp import web
from pydantic import SecretStr
from slack_sdk.errors import SlackApiError

from adapters.discord import AdapterContext, ThinkClient, apply_endpoints
from adapters.slack import SlackBot, web_client
from adapters.slack.modes import EVENTS_PATH, socket_mode
from bot.discord_settings import DiscordSettings, load_discord_settings
from bot.health import Check, HealthServer, serve_health
from bot.logs import EventLog, configure_logging, secret_values
from bot.settings import Settings, load_settings
from bot.slack_settings import SlackSettings, load_slack_settings
from bot.wiring import Services, build_services, build_toggles
from core.drain import DrainReport, GracefulService
from core.errors import ConfigError
from core.metrics import Metrics
from core.toggles import Toggles

__all__ = ["ADAPTERS", "Plan", "Started", "plan", "rate_limit_trace", "run", "run_command", "serve"]

log = logging.getLogger(__name__)

ADAPTERS = ("discord", "slack")
HOST = "0.0.0.0"  # noqa: S104 - a platform's router reaches the process on every interface


@dataclass(frozen=True, slots=True)
class Plan:
    """The adapters to run: each one's settings, or ``None`` when it is off."""

    core: Settings
    discord: DiscordSettings | None
    slack: SlackSettings | None

    def secrets(self) -> list[str]:
        """Every secret value of every settings object, for the log redactor."""
        return secret_values(self.core, self.discord, self.slack)


@dataclass(frozen=True, slots=True, kw_only=True)
class Started:
    """What :func:`run` started: the health server's base URL (``None`` without a port) and each adapter's bot."""

    url: str | None
    discord: ThinkClient | None
    slack: SlackBot | None


def plan(only: tuple[str, ...] = ()) -> Plan:
    """Which adapters run: those named in ``only`` (which must have credentials), else each one that has them.

    The adapters' credentials are checked before the LLM's, so ``thinkbot slack`` with nothing set names its token.
    """
    core = load_settings()
    discord, slack = load_discord_settings(), load_slack_settings()
    has = {"discord": _given(discord.token), "slack": _given(slack.bot_token)}
    chosen = set(only) if only else {name for name, present in has.items() if present}
    if not chosen:
        raise ConfigError("No adapter has credentials: set DISCORD_TOKEN, or SLACK_BOT_TOKEN, or both.")
    if "discord" in chosen:
        discord.require_token()
    if "slack" in chosen:
        slack.credentials()
    core.require_llm()
    return Plan(core=core, discord=discord if "discord" in chosen else None, slack=slack if "slack" in chosen else None)


async def run(
    plan: Plan,
    *,
    stop: asyncio.Event,
    ready: Callable[[Started], None] | None = None,
    metrics: Metrics | None = None,
    discord_options: Mapping[str, Any] | None = None,
) -> DrainReport:
    """Run ``plan`` until ``stop`` is set or an adapter fails, then drain; ``ready`` hears what started.

    ``discord_options`` go to ``discord.Client`` (tests shorten its waits with them).
    """
    metrics = metrics or Metrics()
    async with build_services(plan.core, metrics=metrics) as services, contextlib.AsyncExitStack() as stack:
        graceful = GracefulService(
            service=services.service, grace=plan.core.shutdown_grace, observers=[EventLog().observe]
        )
        health = HealthServer(
            metrics=metrics, checks={"redis": _redis_check(services)}, draining=lambda: graceful.draining
        )
        watched: list[asyncio.Task[None]] = []
        client = slack_bot = None
        if plan.discord is not None:
            discord_started = _discord(services, graceful, plan.discord, health, discord_options or {})
            client, connection = await stack.enter_async_context(discord_started)
            watched.append(connection)
        app = web.Application()
        if plan.slack is not None:
            toggles = build_toggles(services.store, plan.slack)
            slack = _slack(graceful, plan.slack, health, toggles, history_turns=plan.core.history_turns)
            slack_bot, slack_app = await stack.enter_async_context(slack)
            app = slack_app if slack_app is not None else app
        port = plan.slack.port if plan.slack is not None and plan.slack.mode == "http" else plan.core.health_port
        url = None
        if port is not None:
            host = plan.slack.host if plan.slack is not None else HOST
            url = await stack.enter_async_context(serve_health(health.mount(app), host=host, port=port))
        if ready is not None:
            ready(Started(url=url, discord=client, slack=slack_bot))
        failed = await _until(stop, watched)
        report = await graceful.drain()
        log.info("drained: %d finished, %d interrupted", report.finished, len(report.interrupted))
    if failed is not None:
        raise failed
    return report


async def _until(stop: asyncio.Event, watched: list[asyncio.Task[None]]) -> BaseException | None:
    """Wait for ``stop`` or for a watched task to end; the error that ended it, if any."""
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait([stopper, *watched], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    for task in done:
        if task is not stopper:
            error = task.exception() if not task.cancelled() else None
            log.error("an adapter stopped: %s", error or "connection closed")
            return error or RuntimeError("an adapter stopped")
    return None


def _redis_check(services: Services) -> Check:
    async def ping() -> bool:
        return bool(await services.store.redis.ping())

    return ping


@contextlib.asynccontextmanager
async def _discord(
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
        options=settings.options(strategies=graceful.strategy_names, history_turns=services.settings.history_turns),
        toggles=build_toggles(store, settings),
    )
    client = ThinkClient(ctx=ctx, http_trace=rate_limit_trace(services.metrics, "discord"), **options)
    connection: asyncio.Task[None] | None = None
    try:
        await client.login(settings.require_token())
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


@contextlib.asynccontextmanager
async def _slack(
    graceful: GracefulService, settings: SlackSettings, health: HealthServer, toggles: Toggles, *, history_turns: int
) -> AsyncIterator[tuple[SlackBot, web.Application | None]]:
    """Sign in, then open Socket Mode (yields the bot and ``None``) or build the HTTP-mode app to serve (with it)."""
    credentials = settings.credentials()
    metrics = health.metrics
    options = settings.options(history_turns=history_turns)
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


def rate_limit_trace(metrics: Metrics, platform: str) -> aiohttp.TraceConfig:
    """A trace that counts the 429s ``platform`` answers (those discord.py retries included) in ``metrics``."""

    async def on_end(session: aiohttp.ClientSession, context: object, params: aiohttp.TraceRequestEndParams) -> None:
        if params.response.status == 429:
            metrics.platform_rate_limited(platform)

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    return trace


def _given(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value().strip())


async def _serve(plan: Plan) -> DrainReport:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return await run(plan, stop=stop)


@click.command("run")
@click.option(
    "--only",
    type=click.Choice(ADAPTERS),
    multiple=True,
    help="Run only this adapter (repeatable); its credentials must be set. [default: each one that has them]",
)
def run_command(only: tuple[str, ...]) -> None:
    """Run every adapter whose credentials are set (DISCORD_TOKEN, SLACK_BOT_TOKEN) in one process.

    Serves /healthz, /readyz and /metrics on THINKBOT_HEALTH_PORT or $PORT (Slack in HTTP mode: /slack/events too,
    on $PORT); on SIGTERM, takes no new questions and lets running chains finish for THINKBOT_SHUTDOWN_GRACE
    seconds. Exit codes: 0 stopped, 1 an adapter failed, 2 bad settings or credentials.
    """
    serve(only)


def serve(only: tuple[str, ...]) -> None:
    """``thinkbot run --only ONLY`` (every adapter with credentials when empty): plan, log, run, exit."""
    try:
        chosen = plan(only)
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    core = chosen.core
    configure_logging(level=core.log_level, fmt=core.log_format, secrets=chosen.secrets())
    try:
        asyncio.run(_serve(chosen))
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except discord.LoginFailure:
        click.echo("Error: Discord refused the token (DISCORD_TOKEN); reset it in the developer portal.", err=True)
        sys.exit(2)
    except Exception as exc:
        log.exception("thinkbot run stopped on an error")
        click.echo(f"Error: {type(exc).__name__}", err=True)
        sys.exit(1)
