"""The eval's terminal view: the progress bar counts samples and failures; the table fits 80 columns."""

import io

from rich.console import Console

from bot.eval_view import advance, progress_bar, results_tables
from core.eval.runner import Sample
from core.eval.summary import summarise


def sample(strategy: str, correct: bool, failure: str | None = None) -> Sample:
    return Sample(strategy=strategy, model="openai/gpt-oss-120b", question_id="q-1", sample=1, expected="3",
                  answer=None if failure else "3", correct=correct, failure=failure, latency=12.5, tokens=1234,
                  steps=4, repairs=1, calls=6)  # fmt: skip


def test_the_progress_bar_counts_samples_and_failures() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with progress_bar(console, total=3) as progress:
        advance(progress, sample("g1", True))
        advance(progress, sample("g1", False, "deadline"))
        progress.refresh()
        task = progress.tasks[0]
        assert (task.completed, task.total, task.fields["failed"]) == (2, 3, 1)
    assert "2/3" in out.getvalue()
    assert "1 failed" in out.getvalue()


def test_a_table_per_model_fits_80_columns() -> None:
    rows = summarise([sample("g1", True), sample("g1", False, "deadline"), sample("berry", True)])
    out = io.StringIO()
    console = Console(file=out, width=80)
    for table in results_tables(rows, title="letters: 2 questions × 1 sample"):
        console.print(table)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("openai/gpt-oss-120b · letters")
    assert lines[3].split() == ["g1", "50%", "9–91%", "2", "12.5s", "12.5s", "1,234", "4.0", "2", "1"]
    assert "…" not in out.getvalue()
