"""``thinkbot ask``: one question in the terminal, each step printed as it arrives, then the answer.

Like every command module, this one holds the click definition only; the body imports what the command uses, so
``thinkbot --help`` and the other commands do not pay for the terminal renderer, Redis or the LLM SDK.
"""

from __future__ import annotations

import sys
from typing import Any

import click

__all__ = ["StrategyChoice", "ask_command"]


class StrategyChoice(click.Choice[str]):
    """The registered strategies' names, read from the registry each time they are needed."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=True)

    @property
    def choices(self) -> tuple[str, ...]:
        from core.strategies.registry import STRATEGIES

        return STRATEGIES.names()

    @choices.setter
    def choices(self, value: object) -> None:
        """click sets the choices it was given; the registry's are used instead."""


@click.command("ask")
@click.argument("words", metavar="QUESTION...", nargs=-1, required=True)
@click.option("--strategy", type=StrategyChoice(), help="Reasoning strategy [default: THINKBOT_STRATEGY].")
@click.option("--model", help="Model id [default: THINKBOT_MODEL].")
@click.option(
    "--steps",
    type=click.Choice(["collapsed", "full"]),
    default="collapsed",
    show_default=True,
    help="Show each step's title only, or its full content too.",
)
@click.option("--fresh", is_flag=True, help="Think again instead of replaying a cached answer.")
@click.option("--json", "as_json", is_flag=True, help="Print events as JSON lines instead of text.")
def ask_command(words: tuple[str, ...], **options: Any) -> None:
    """Think about QUESTION step by step and print each step as it arrives, then the answer.

    QUESTION may be several words (no quotes needed) or - to read it from standard input.

    Exit codes: 0 answered, 1 the chain failed, 2 bad input or settings.
    """
    from bot.ask import ask_and_exit

    question = sys.stdin.read() if words == ("-",) else " ".join(words)
    ask_and_exit(question=question, **options)
