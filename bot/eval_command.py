"""``thinkbot eval``: question sets through strategies × models, scored, summed up in a table (or JSON and files).

The click definition only: the run (:mod:`bot.eval_run`) and what it uses load when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from core.eval.sets import BUILT_IN

__all__ = ["eval_command"]


@click.command("eval")
@click.option(
    "--set",
    "set_spec",
    help=f"A built-in set ({', '.join(BUILT_IN)}), a .jsonl file of question/answer lines, or gym:TASK[:SIZE] "
    "(a reasoning-gym task, generated here; the eval extra) [default: letters].",
)
@click.option("--strategies", help="Comma-separated strategies [default: every registered one that runs on the model].")
@click.option("--models", help="Comma-separated model ids [default: THINKBOT_MODEL].")
@click.option("--n", "n", type=click.IntRange(1, 1000), help="Samples per question [default: 1].")
@click.option("--limit", type=click.IntRange(1), help="Only the set's first N questions.")
@click.option("--concurrency", type=click.IntRange(1, 512), default=4, show_default=True, help="Chains at once.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write results.json, .csv, chart.png.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON instead of a table.")
@click.option("--record", type=click.Path(file_okay=False, path_type=Path), help="Keep every provider response here.")
@click.option(
    "--replay",
    type=click.Path(file_okay=False, path_type=Path),
    help="Run a recorded eval again offline, answered from its recording [defaults: the recorded options].",
)
def eval_command(**options: Any) -> None:
    """Run a question set through strategies × models and print, per strategy and model: accuracy with its 95%
    interval, median and p90 latency, mean tokens and steps, repairs of malformed steps and failures.

    Each sample is a fresh chain: no result cache, no chat rate limits. Answers are scored by the set's checker,
    never by an LLM. Exit codes: 0 the eval ran (failed chains count as wrong answers), 1 a replay met calls its
    recording does not have, 2 bad options or settings.
    """
    from bot.eval_run import eval_and_exit

    eval_and_exit(**options)
