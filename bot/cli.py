"""The ``thinkbot`` command line. Services are built here, per command, never at import time."""

from __future__ import annotations

import asyncio
import sys

import click
from rich.console import Console

from adapters.terminal import ExitCode, JsonRenderer, Renderer, RichRenderer, ask
from bot.discord_command import discord_command
from bot.doctor import doctor_command
from bot.eval_command import eval_command
from bot.logs import configure_logging, secret_values
from bot.run_command import run_command
from bot.settings import load_settings
from bot.slack_command import slack_command
from bot.wiring import build_services
from core.errors import ConfigError
from core.request import ThinkRequest
from core.strategies.registry import STRATEGIES

__all__ = ["StrategyChoice", "cli", "main"]


class StrategyChoice(click.Choice[str]):
    """The registered strategies' names, read from the registry each time they are needed."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=True)

    @property
    def choices(self) -> tuple[str, ...]:
        return STRATEGIES.names()

    @choices.setter
    def choices(self, value: object) -> None:
        """click sets the choices it was given; the registry's are used instead."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Thinkbot: visible, step-by-step reasoning on Groq, for Discord, Slack and the terminal."""


@cli.command("ask")
@click.argument("question")
@click.option("--strategy", type=StrategyChoice(), help="Reasoning strategy [default: THINKBOT_STRATEGY].")
@click.option("--model", help="Model id [default: THINKBOT_MODEL].")
@click.option(
    "--steps",
    type=click.Choice(["collapsed", "full"]),
    default="collapsed",
    show_default=True,
    help="Show each step's title only, or its full content too.",
)
@click.option("--json", "as_json", is_flag=True, help="Print events as JSON lines instead of text.")
def ask_command(question: str, strategy: str | None, model: str | None, steps: str, as_json: bool) -> None:
    """Think about QUESTION step by step and print each step as it arrives, then the answer.

    Exit codes: 0 answered, 1 the chain failed, 2 bad input or settings.
    """
    try:
        settings = load_settings()
        settings.require_llm()
    except ConfigError as exc:
        _fail(str(exc))
    configure_logging(level="WARNING", fmt="brief", secrets=secret_values(settings))
    renderer: Renderer
    if as_json:
        renderer = JsonRenderer(out=sys.stdout)
    else:
        renderer = RichRenderer(console=Console(), errors=Console(stderr=True), steps=steps)  # type: ignore[arg-type]
    request = ThinkRequest(question=question, strategy=strategy, model=model)

    async def run() -> ExitCode:
        async with build_services(settings) as services:
            return await ask(services.service, request, renderer)

    try:
        code = asyncio.run(run())
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    sys.exit(int(code))


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(ExitCode.BAD_INPUT)


def main() -> None:
    cli()


for _command in (discord_command, slack_command, run_command, doctor_command, eval_command):
    cli.add_command(_command)
