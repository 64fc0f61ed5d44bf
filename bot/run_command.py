"""``thinkbot run``: the click definition; the run itself (:mod:`bot.run`) loads when the command runs."""

from __future__ import annotations

import click

__all__ = ["ADAPTERS", "run_command"]

ADAPTERS = ("discord", "slack")


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
    seconds. With no adapter's credentials set (and no --only), it logs what to set and waits, serving health, so
    a platform does not restart it in a loop. Exit codes: 0 stopped, 1 an adapter failed, 2 bad settings or
    credentials.
    """
    from bot.run import serve

    serve(only)
