"""``thinkbot eval`` in a terminal: the progress bar on stderr, then a table per model with a row per strategy."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from core.eval.runner import Sample
from core.eval.summary import Row

__all__ = ["advance", "progress_bar", "results_tables"]


@contextmanager
def progress_bar(console: Console, total: int) -> Iterator[Progress]:
    """A bar of samples done out of ``total``, with the failures so far; ``advance`` it with each sample."""
    columns = (
        TextColumn("Evaluating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        progress.add_task("eval", total=total, failed=0)
        yield progress


def advance(progress: Progress, sample: Sample) -> None:
    task = progress.task_ids[0]
    failed = progress.tasks[0].fields.get("failed", 0) + (sample.failure is not None)
    progress.update(task, advance=1, failed=failed)


def _seconds(value: float) -> str:
    return f"{value:.2f}s" if value < 10 else f"{value:.1f}s"


_COLUMNS = ("Strategy", "Accuracy", "95% CI", "n", "p50", "p90", "Tokens", "Steps", "Repairs", "Failed")


def results_tables(rows: Sequence[Row], *, title: str) -> list[Table]:
    """One table per model, a row per strategy: accuracy with its interval, latency (median, p90), mean tokens
    and steps, repairs and failed samples (totals)."""
    tables = []
    for model in dict.fromkeys(row.model for row in rows):
        table = Table(
            title=f"{model} · {title}",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            collapse_padding=True,
        )
        for header in _COLUMNS:
            table.add_column(header, justify="left" if header == "Strategy" else "right", no_wrap=True)
        for row in (r for r in rows if r.model == model):
            table.add_row(
                row.strategy,
                f"{row.accuracy:.0%}",
                f"{row.low * 100:.0f}–{row.high:.0%}",
                str(row.samples),
                _seconds(row.latency_median),
                _seconds(row.latency_p90),
                f"{row.tokens_mean:,.0f}",
                f"{row.steps_mean:.1f}",
                str(row.repairs),
                str(row.failures),
            )
        tables.append(table)
    return tables
