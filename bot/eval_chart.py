"""``chart.png`` of an eval: accuracy (with its 95 % interval) and latency (median, p90) by strategy and model.

matplotlib comes with the ``eval`` extra (and ``dev``); it is imported only here, when a chart is drawn, and drawn
with its Agg canvas, never pyplot's global state.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core.eval.summary import Row

__all__ = ["CHART_HINT", "draw_chart"]

CHART_HINT = "chart.png not drawn: matplotlib is missing; pip install 'thinkbot[eval]' for the chart."


def draw_chart(rows: Sequence[Row], path: Path) -> bool:
    """Write the chart to ``path``; False (nothing written) when matplotlib is not installed."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return False
    strategies = list(dict.fromkeys(row.strategy for row in rows))
    models = list(dict.fromkeys(row.model for row in rows))
    by_pair = {(row.strategy, row.model): row for row in rows}
    width = 0.8 / max(1, len(models))
    figure = Figure(figsize=(max(6.0, 1.6 * len(strategies) * max(1, len(models)) ** 0.5 + 3), 7.5), dpi=100)
    FigureCanvasAgg(figure)
    accuracy, latency = figure.subplots(2, 1)
    for offset, model in enumerate(models):
        xs, acc, err_low, err_high, median, p90 = [], [], [], [], [], []
        for position, strategy in enumerate(strategies):
            row = by_pair.get((strategy, model))
            if row is None:
                continue
            xs.append(position - 0.4 + width * (offset + 0.5))
            acc.append(100 * row.accuracy)
            err_low.append(100 * (row.accuracy - row.low))
            err_high.append(100 * (row.high - row.accuracy))
            median.append(row.latency_median)
            p90.append(row.latency_p90)
        accuracy.bar(xs, acc, width, yerr=[err_low, err_high], capsize=4, label=model)
        latency.bar(xs, median, width, label=model)
        latency.scatter(xs, p90, marker="_", s=300, color="black", zorder=3)
    accuracy.set_ylabel("accuracy, % (95% interval)")
    accuracy.set_ylim(0, 105)
    latency.set_ylabel("latency, s (bar: median, dash: p90)")
    for axes in (accuracy, latency):
        axes.set_xticks(range(len(strategies)), strategies)
        axes.grid(axis="y", alpha=0.3)
    accuracy.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    accuracy.set_title("Accuracy and latency by strategy and model")
    figure.tight_layout()
    figure.savefig(path, format="png")
    return True
