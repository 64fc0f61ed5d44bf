"""--out without the eval extra: the JSON and CSV are written, and one line says how to get the chart."""

import json
import sys
from pathlib import Path

import pytest

from bot.eval_chart import CHART_HINT, draw_chart
from bot.eval_files import RunPlan, load_plan, save_plan, write_results
from core.chain_config import ChainConfig
from core.eval.runner import Sample
from core.eval.sets import load_set
from core.eval.summary import summarise

PLAN = RunPlan(
    set_name="letters",
    questions=load_set("letters")[:2],
    pairs=(("g1", "openai/gpt-oss-120b"), ("bare", "openai/gpt-oss-120b"), ("g1", "qwen/qwen3-32b")),
    samples=1,
    config=ChainConfig(model="openai/gpt-oss-120b", temperature=0.7),
)


def samples() -> list[Sample]:
    return [
        Sample(
            strategy=s,
            model=m,
            question_id=q.id,
            sample=1,
            expected=q.answer,
            answer="3",
            correct=q.answer == "3",
            failure=None,
            latency=0.5 + i,
            tokens=100,
            steps=3,
            repairs=0,
            calls=4,
        )
        for i, (s, m) in enumerate(PLAN.pairs)
        for q in PLAN.questions
    ]


def test_without_matplotlib_the_json_and_csv_are_written_and_one_line_says_how(tmp_path: Path, monkeypatch) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib... raises ImportError
    notes = write_results(tmp_path, PLAN, summarise(samples()), samples())
    assert notes == [CHART_HINT]
    assert "pip install 'thinkbot[eval]'" in CHART_HINT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv", "results.json"]
    assert len(json.loads((tmp_path / "results.json").read_text())["rows"]) == 3


def test_the_chart_is_a_png_for_several_models(tmp_path: Path) -> None:
    assert draw_chart(summarise(samples()), tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_plan_comes_back_as_saved(tmp_path: Path) -> None:
    save_plan(tmp_path, PLAN)
    assert load_plan(tmp_path) == PLAN
    (tmp_path / "run.json").write_text("{}")
    with pytest.raises(ValueError, match="cannot be read as a recorded run"):
        load_plan(tmp_path)
