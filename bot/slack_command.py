"""``thinkbot slack``: ``thinkbot run --only slack`` (the same drain, health paths, metrics and logs).
The click definition only: what the command uses loads when it runs."""

from __future__ import annotations

import click

__all__ = ["slack_command"]


@click.command("slack")
def slack_command() -> None:
    """Run the Slack bot (the same as `thinkbot run --only slack`): @mentions, DMs and /think, steps in threads,
    reactions to expand them.

    Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode on $PORT at /slack/events (needs
    SLACK_SIGNING_SECRET). Always needs SLACK_BOT_TOKEN (and GROQ_API_KEY). Serves /healthz, /readyz and /metrics
    on $PORT (in Socket Mode: THINKBOT_HEALTH_PORT or $PORT); drains on SIGTERM.
    """
    from bot.run import serve

    serve(("slack",))
