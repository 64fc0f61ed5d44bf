"""``thinkbot doctor``: check every configured piece with a real call and print a table of what is wrong and how
to fix it. Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 2 when the settings do not load.

The table fits the terminal's width (``COLUMNS`` when set, else 80 when not a terminal): its text wraps inside
borderless columns. A finding's URL (the Discord invite) is printed on a line of its own after the table, never
wrapped, so it can be copied whole from a narrow ``heroku run`` or ``fly ssh`` session.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

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
    """A row per finding (check, status, detail, and the fix under it), then each URL alone on its line."""
    table = Table(title="thinkbot doctor", box=box.SIMPLE_HEAD, expand=False, pad_edge=False)
    table.add_column("Check", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Detail and fix", overflow="fold", ratio=1)
    for f in findings:
        detail = Text(f.detail)
        if f.url:
            detail.append(" (below)", style="dim")
        if f.fix:
            detail.append("\nFix: ", style="bold").append(f.fix)
        table.add_row(f.name, Text(f.status, style=_STYLE[f.status]), detail)
    console.print(table)
    for f in findings:
        if f.url:
            console.print(Text(f"{f.name}:", style="bold"))
            console.print(f.url, soft_wrap=True, highlight=False, markup=False)


def doctor() -> None:
    """``thinkbot doctor``'s work: load every settings object, run the checks, print the table, exit 1 or 2 on a
    failure."""
    try:
        core, discord, slack = load_settings(), load_discord_settings(), load_slack_settings()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    findings = asyncio.run(diagnose(core, discord, slack))
    render(findings, Console())
    failed = [f.name for f in findings if f.status == "fail"]
    if failed:
        click.echo(f"{len(failed)} problem(s): {', '.join(failed)}.", err=True)
        sys.exit(1)
