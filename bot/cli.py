"""The ``thinkbot`` command line. Services are built here, per command, never at import time.

Each command module (``bot/*_command.py``) holds its click definition only and imports what it uses when it runs,
so ``import bot.cli`` and ``thinkbot --help`` load click and no SDK: openai only for the openai provider, discord.py
and Slack's SDKs only when their adapter runs (``tests/bot/test_imports.py`` keeps it so).
"""

from __future__ import annotations

import click

from bot.ask_command import ask_command
from bot.discord_command import discord_command
from bot.doctor_command import doctor_command
from bot.eval_command import eval_command
from bot.run_command import run_command
from bot.slack_command import slack_command
from bot.worker_command import worker_command

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thinkbot", message="%(prog)s %(version)s")
def cli() -> None:
    """Thinkbot: visible, step-by-step reasoning on Groq, for Discord, Slack and the terminal."""


def main() -> None:
    cli()


for _command in (
    ask_command,
    discord_command,
    slack_command,
    run_command,
    worker_command,
    doctor_command,
    eval_command,
):
    cli.add_command(_command)
