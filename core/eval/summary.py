"""One row per strategy and model: what the eval table, ``--json``, ``results.json`` and the chart show."""

from __future__ import annotations

import csv
import dataclasses
import io
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.eval.runner import Sample
from core.eval.stats import percentile, wilson

__all__ = ["SAMPLE_COLUMNS", "Row", "failure_counts", "samples_csv", "summarise"]


@dataclass(frozen=True, slots=True)
class Row:
    """``accuracy`` is correct / samples, failures counted as wrong; ``low``-``high`` its 95 % Wilson interval.

    Latencies (seconds) are over every sample, failed ones too; tokens and steps are means per sample; ``repairs``
    and ``failures`` are totals.
    """

    strategy: str
    model: str
    samples: int
    correct: int
    accuracy: float
    low: float
    high: float
    latency_median: float
    latency_p90: float
    tokens_mean: float
    steps_mean: float
    repairs: int
    failures: int

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def summarise(samples: Sequence[Sample]) -> list[Row]:
    """Rows in the order their strategy and model first appear in ``samples``."""
    groups: dict[tuple[str, str], list[Sample]] = {}
    for sample in samples:
        groups.setdefault((sample.strategy, sample.model), []).append(sample)
    rows = []
    for (strategy, model), group in groups.items():
        correct = sum(s.correct for s in group)
        low, high = wilson(correct, len(group))
        latencies = [s.latency for s in group]
        rows.append(
            Row(
                strategy=strategy,
                model=model,
                samples=len(group),
                correct=correct,
                accuracy=correct / len(group),
                low=low,
                high=high,
                latency_median=statistics.median(latencies),
                latency_p90=percentile(latencies, 90),
                tokens_mean=statistics.fmean(s.tokens for s in group),
                steps_mean=statistics.fmean(s.steps for s in group),
                repairs=sum(s.repairs for s in group),
                failures=sum(s.failure is not None for s in group),
            )
        )
    return rows


def failure_counts(samples: Sequence[Sample]) -> dict[str, int]:
    """How many samples failed, by ``ChainFailed`` kind, the most frequent first."""
    return dict(Counter(s.failure for s in samples if s.failure is not None).most_common())


SAMPLE_COLUMNS = tuple(field.name for field in dataclasses.fields(Sample))


def samples_csv(samples: Sequence[Sample]) -> str:
    """Every sample, one CSV row each, with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SAMPLE_COLUMNS)
    for sample in samples:
        writer.writerow(["" if value is None else value for value in dataclasses.astuple(sample)])
    return out.getvalue()
