"""``thinkbot doctor``: check every configured piece with a real call and print a table of what is wrong and how
to fix it. Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 2 when the settings do not load.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

import click
from rich.console import Console
from rich.table import Table

from bot.discord_settings import DiscordSettings, load_discord_settings
from bot.doctor_checks import Finding, check_discord, check_llm, check_redis, check_slack
from bot.settings import Settings, load_settings
from bot.slack_settings import SlackSettings, load_slack_settings
from core.errors import ConfigError

__all__ = ["diagnose", "doctor", "render"]

_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


async def diagnose(core: Settings, discord: DiscordSettings, slack: SlackSettings) -> list[Finding]:
    """Every check, run at once; one finding per row, in a fixed order."""
    llm, redis, discord_rows, slack_rows = await asyncio.gather(
        check_llm(core), check_redis(core), check_discord(discord), check_slack(slack)
    )
    rows = [llm, redis, *discord_rows, *slack_rows]
    if all(row.status == "skip" for row in [*discord_rows, *slack_rows]):
        fix = "Set DISCORD_TOKEN, or SLACK_BOT_TOKEN (+ SLACK_APP_TOKEN or SLACK_SIGNING_SECRET), or both."
        rows.append(Finding("Adapters", "fail", "no chat platform is configured", fix))
    return rows


def render(findings: Sequence[Finding], console: Console) -> None:
    table = Table(title="thinkbot doctor", show_lines=False)
    for column in ("Check", "Status", "Detail", "Fix"):
        table.add_column(column, overflow="fold")
    for f in findings:
        table.add_row(f.name, f"[{_STYLE[f.status]}]{f.status}[/]", f.detail, f.fix)
    console.print(table)


def doctor() -> None:
    """``thinkbot doctor``'s work: load every settings object, run the checks, print the table, exit 1 or 2 on a
    failure."""
    try:
        core, discord, slack = load_settings(), load_discord_settings(), load_slack_settings()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    findings = asyncio.run(diagnose(core, discord, slack))
    render(findings, Console(width=160))
    failed = [f.name for f in findings if f.status == "fail"]
    if failed:
        click.echo(f"{len(failed)} problem(s): {', '.join(failed)}.", err=True)
        sys.exit(1)
