"""``thinkbot discord``: ``thinkbot run --only discord`` (the same drain, health paths, metrics and logs), or the
invite URL with ``--invite``. The click definition only: what the command uses loads when it runs."""

from __future__ import annotations

import sys

import click

__all__ = ["discord_command"]


@click.command("discord")
@click.option("--invite", is_flag=True, help="Print the URL that adds the bot to a server, and exit.")
def discord_command(invite: bool) -> None:
    """Run the Discord bot (the same as `thinkbot run --only discord`): /think in servers and DMs, steps in
    threads, reactions to expand them.

    Needs DISCORD_TOKEN (and GROQ_API_KEY); --invite needs DISCORD_APPLICATION_ID or the token. Serves /healthz,
    /readyz and /metrics on THINKBOT_HEALTH_PORT or $PORT; drains on SIGTERM.
    """
    if not invite:
        from bot.run import serve

        serve(("discord",))
        return
    from adapters.discord.invite import invite_url
    from bot.discord_settings import load_discord_settings
    from core.errors import ConfigError

    try:
        click.echo(invite_url(load_discord_settings().invite_application_id()))
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
