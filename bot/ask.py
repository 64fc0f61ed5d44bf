"""What ``thinkbot ask`` does: load the settings, build the services, run one chain into the terminal, exit.

The terminal shows every chain event itself, a failure's message included, so only errors are logged (a warning
such as the core's "chain failed" would repeat the message above it). Without ``REDIS_URL`` one short note says
that nothing is kept between runs. The local user is not rate-limited unless ``THINKBOT_CLI_RATE_LIMITED`` says so.
"""

from __future__ import annotations

import asyncio
import sys
from typing import NoReturn

import click
from rich.console import Console

from adapters.terminal import ExitCode, JsonRenderer, Renderer, RichRenderer, StepsMode, ask
from bot.logs import configure_logging, secret_values
from bot.settings import load_settings
from bot.wiring import build_services
from core.errors import ConfigError
from core.request import ThinkRequest

__all__ = ["ask_and_exit"]


EMBEDDED_NOTE = "Note: no REDIS_URL, so nothing is kept between runs."


def ask_and_exit(
    *, question: str, strategy: str | None, model: str | None, steps: str, fresh: bool, as_json: bool
) -> NoReturn:
    """Ask ``question`` and exit with the chain's :class:`ExitCode` (130 on Ctrl-C)."""
    try:
        settings = load_settings()
        settings.require_llm()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(ExitCode.BAD_INPUT)
    configure_logging(level="ERROR", fmt="brief", secrets=secret_values(settings))
    if settings.redis_url is None:
        click.echo(EMBEDDED_NOTE, err=True)
    renderer: Renderer
    if as_json:
        renderer = JsonRenderer(out=sys.stdout)
    else:
        mode: StepsMode = "full" if steps == "full" else "collapsed"
        renderer = RichRenderer(console=Console(), errors=Console(stderr=True), steps=mode)
    request = ThinkRequest(
        question=question, strategy=strategy, model=model, fresh=fresh, limited=settings.cli_rate_limited
    )

    async def run() -> ExitCode:
        async with build_services(settings) as services:
            return await ask(services.service, request, renderer)

    try:
        code = asyncio.run(run())
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    sys.exit(int(code))
