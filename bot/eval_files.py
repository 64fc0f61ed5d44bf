"""What ``thinkbot eval`` reads and writes: the run's plan in a recording, and ``--out``'s results.

A recording directory holds ``run.json`` (the set's questions, strategies, models, samples and the chain settings
the run used) beside ``calls.jsonl`` (:mod:`core.eval.recording`), so ``--replay DIR`` alone runs the same eval
again, whatever the settings and files of the machine replaying it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.eval_chart import CHART_HINT, draw_chart
from core.chain_config import ChainConfig
from core.eval.runner import Sample
from core.eval.sets import Question
from core.eval.summary import Row, samples_csv

__all__ = ["RUN_FILE", "RunPlan", "load_plan", "save_plan", "summary_json", "write_results"]

RUN_FILE = "run.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class RunPlan:
    set_name: str
    questions: tuple[Question, ...]
    pairs: tuple[tuple[str, str], ...]  # (strategy, model), each run on every question
    samples: int
    config: ChainConfig

    @property
    def strategies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(strategy for strategy, _ in self.pairs))

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(model for _, model in self.pairs))

    def options(self) -> dict[str, Any]:
        return {
            "set": self.set_name,
            "questions": len(self.questions),
            "strategies": list(self.strategies),
            "models": list(self.models),
            "pairs": [list(pair) for pair in self.pairs],
            "n": self.samples,
        }


def save_plan(directory: Path, plan: RunPlan) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    body = {
        **plan.options(),
        "questions": [q.as_dict() for q in plan.questions],
        "config": dataclasses.asdict(plan.config),
    }
    (directory / RUN_FILE).write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load_plan(directory: Path) -> RunPlan:
    """The recorded plan; ``ValueError`` with a readable message when it is missing or unreadable."""
    path = directory / RUN_FILE
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return RunPlan(
            set_name=str(body["set"]),
            questions=tuple(Question(**q) for q in body["questions"]),
            pairs=tuple((str(strategy), str(model)) for strategy, model in body["pairs"]),
            samples=int(body["n"]),
            config=ChainConfig(**body["config"]),
        )
    except FileNotFoundError:
        raise ValueError(f"{path} not found: record a run with --record {directory} first") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} cannot be read as a recorded run ({exc})") from None


def summary_json(plan: RunPlan, rows: Sequence[Row]) -> dict[str, Any]:
    return {**plan.options(), "rows": [row.as_dict() for row in rows]}


def write_results(directory: Path, plan: RunPlan, rows: Sequence[Row], samples: Sequence[Sample]) -> list[str]:
    """results.json, results.csv (one row per sample) and chart.png; the notes to show (a chart not drawn)."""
    directory.mkdir(parents=True, exist_ok=True)
    body = {**summary_json(plan, rows), "samples": [dataclasses.asdict(s) for s in samples]}
    (directory / "results.json").write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (directory / "results.csv").write_text(samples_csv(samples), encoding="utf-8")
    return [] if draw_chart(rows, directory / "chart.png") else [CHART_HINT]
