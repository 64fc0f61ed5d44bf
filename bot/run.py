"""``thinkbot run``: every adapter whose credentials are set, in one process, with the operations around them.

The one way the bot starts: ``thinkbot run``, ``thinkbot discord`` and ``thinkbot slack`` (``run --only
discord|slack``) all call :func:`serve`; their click definitions are in ``bot/*_command.py``. One set of services
(Redis, the LLM client, one :class:`~core.metrics.Metrics`) serves Discord and Slack alike; each adapter's SDK is
imported only when it runs (:mod:`bot.discord_run`, :mod:`bot.slack_run`). ``/healthz``, ``/readyz`` and
``/metrics`` are served on ``THINKBOT_HEALTH_PORT`` or ``$PORT`` (sharing Slack's HTTP-mode server, with
``/slack/events``, when Slack runs over HTTP); logs go to stderr as text or JSON, redacted; SIGTERM drains the
chains (see :mod:`core.drain`). The Procfile and fly.toml run this command: by default one process with every
adapter that has credentials (with none, it says what to set and waits), or one adapter per process (``--only``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click
from aiohttp import web
from pydantic import SecretStr

from bot.discord_settings import DiscordSettings, load_discord_settings
from bot.health import Check, HealthServer, serve_health
from bot.logs import EventLog, configure_logging, secret_values
from bot.settings import Settings, load_settings
from bot.slack_settings import SlackSettings, load_slack_settings
from bot.wiring import Services, build_services, build_toggles
from core.drain import DrainReport, GracefulService
from core.errors import ConfigError
from core.metrics import Metrics

if TYPE_CHECKING:
    from adapters.discord.client import ThinkClient
    from adapters.slack.app import SlackBot

__all__ = ["NO_CREDENTIALS", "Plan", "Started", "plan", "run", "serve"]

log = logging.getLogger(__name__)

NO_CREDENTIALS = (
    "no chat platform has credentials, so no bot runs: set DISCORD_TOKEN or SLACK_BOT_TOKEN (or both) and restart; "
    "until then this process waits"
)
HOST = "0.0.0.0"  # noqa: S104 - a platform's router reaches the process on every interface


@dataclass(frozen=True, slots=True)
class Plan:
    """The adapters to run: each one's settings, or ``None`` when it is off."""

    core: Settings
    discord: DiscordSettings | None
    slack: SlackSettings | None

    @property
    def idle(self) -> bool:
        """No adapter runs: no chat platform has credentials."""
        return self.discord is None and self.slack is None

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

    Without ``only`` and with no adapter's credentials the plan runs none: :func:`run` then says what to set and
    waits, serving health, so a platform that restarts a process that exits does not restart it in a loop. The
    adapters' credentials are checked before the LLM's, so ``thinkbot slack`` with nothing set names its token.
    """
    core = load_settings()
    discord, slack = load_discord_settings(), load_slack_settings()
    has = {"discord": _given(discord.token), "slack": _given(slack.bot_token)}
    chosen = set(only) if only else {name for name, present in has.items() if present}
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
            from bot.discord_run import discord_adapter  # discord.py loads only when Discord runs

            discord_started = discord_adapter(services, graceful, plan.discord, health, discord_options or {})
            client, connection = await stack.enter_async_context(discord_started)
            watched.append(connection)
        app = web.Application()
        if plan.slack is not None:
            from bot.slack_run import slack_adapter  # Slack's SDKs load only when Slack runs

            toggles = build_toggles(services.store, plan.slack)
            slack = slack_adapter(
                graceful,
                plan.slack,
                health,
                toggles,
                history_turns=plan.core.history_turns,
                default_strategy=plan.core.strategy,
                budget_cap=plan.core.daily_token_budget,
            )
            slack_bot, slack_app = await stack.enter_async_context(slack)
            app = slack_app if slack_app is not None else app
        port = plan.slack.port if plan.slack is not None and plan.slack.mode == "http" else plan.core.health_port
        url = None
        if port is not None:
            host = plan.slack.host if plan.slack is not None else HOST
            url = await stack.enter_async_context(serve_health(health.mount(app), host=host, port=port))
        if plan.idle:
            log.warning(NO_CREDENTIALS)
        gc.collect()  # start-up's objects live as long as the process: the collector need not walk them again
        gc.freeze()
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


def _given(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value().strip())


async def _serve(plan: Plan) -> DrainReport:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return await run(plan, stop=stop)


def serve(only: tuple[str, ...]) -> None:
    """``thinkbot run --only ONLY`` (every adapter with credentials when empty): plan, log, run, exit."""
    try:
        chosen = plan(only)
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    core = chosen.core
    configure_logging(level=core.log_level, fmt=core.log_format, secrets=chosen.secrets())
    run_to_exit(_serve(chosen), command="thinkbot run")


def run_to_exit(main: Coroutine[Any, Any, object], *, command: str) -> None:
    """Run a server's ``main`` to its end; a settings error exits 2 with its message, anything else 1 with the
    error's type only (the traceback goes to the log)."""
    try:
        asyncio.run(main)
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:
        log.exception("%s stopped on an error", command)
        click.echo(f"Error: {type(exc).__name__}", err=True)
        sys.exit(1)
