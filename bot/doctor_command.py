"""``thinkbot doctor``: the click definition; the checks (and their SDKs) load when it runs (:mod:`bot.doctor`)."""

from __future__ import annotations

import click

__all__ = ["doctor_command"]


@click.command("doctor")
def doctor_command() -> None:
    """Check the Groq key and model, Redis, and the Discord and Slack tokens with real calls.

    Prints a table with a fix for each problem. Exit codes: 0 all good (warnings allowed), 1 a check failed,
    2 the settings are invalid.
    """
    from bot.doctor import doctor

    doctor()
