"""``thinkbot eval --set gym:...`` as a user runs it, against the fake Groq: with the stand-in reasoning-gym (runs
everywhere), and with the real one where the ``eval`` extra is installed."""

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from core.eval.sets import load_set
from tests.eval.kit import wrong_for_bare
from tests.eval.test_eval_cli import thinkbot, thinkbot_args, together
from tests.eval.test_gym import STAND_IN, real
from tests.fakes.groq_server import FakeGroq

ACCURACY = {"bare": 0.0, "g1": 1.0, "berry": 1.0}


def accuracy(stdout: str) -> dict[str, float]:
    return {row["strategy"]: row["accuracy"] for row in json.loads(stdout)["rows"]}


def test_a_gym_set_is_run_scored_by_its_dataset_recorded_and_replayed(tmp_path: Path) -> None:
    stand_in = {"PYTHONPATH": str(STAND_IN)}
    recording = tmp_path / "recording"
    args = ("eval", "--set", "gym:sums:6", "--strategies", "bare,g1,berry", "--json")
    with FakeGroq(responder=wrong_for_bare(tagged=True)) as fake:
        groq = {"GROQ_API_KEY": fake.api_key, "GROQ_BASE_URL": fake.base_url}
        result = thinkbot(tmp_path, *args, "--record", str(recording), **groq, **stand_in)
        asked = {
            m["content"] for request in fake.chat_requests for m in request.body["messages"] if m["role"] == "user"
        }
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["set"], summary["questions"]) == ("gym:sums:6", 6)
    assert accuracy(result.stdout) == ACCURACY
    assert any(text.endswith("between <answer> and </answer> tags.") for text in asked)

    # offline, the recording answers and each question is scored again from its regenerated item
    [replayed] = together(thinkbot_args(tmp_path, "eval", "--replay", str(recording), "--json", **stand_in))
    assert replayed.returncode == 0, replayed.stderr
    assert accuracy(replayed.stdout) == ACCURACY


@real
def test_a_real_reasoning_gym_task_end_to_end(tmp_path: Path) -> None:
    answers = {q.question: int(q.answer) for q in load_set("gym:basic_arithmetic:5")}

    def answer_of(text: str) -> int:
        return next(answer for question, answer in answers.items() if question in text)

    with FakeGroq(responder=wrong_for_bare(answer_of=answer_of, tagged=True)) as fake:
        groq = {"GROQ_API_KEY": fake.api_key, "GROQ_BASE_URL": fake.base_url}
        args = ("--set", "gym:basic_arithmetic:5", "--strategies", "bare,g1,berry", "--json")
        result = thinkbot(tmp_path, "eval", *args, **groq)
    assert result.returncode == 0, result.stderr
    assert accuracy(result.stdout) == ACCURACY


@pytest.mark.parametrize(
    ("spec", "missing", "message"),
    [
        (
            "gym:sums:3",
            True,
            "Error: a gym set needs reasoning-gym, which is not installed: pip install 'thinkbot[eval]'",
        ),
        ("gym:nope", False, "Error: reasoning-gym has no task 'nope'"),
    ],
)
def test_a_gym_set_that_cannot_be_made_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str, missing: bool, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    if missing:
        monkeypatch.setitem(sys.modules, "reasoning_gym", None)
    else:
        monkeypatch.syspath_prepend(str(STAND_IN))
        monkeypatch.delitem(sys.modules, "reasoning_gym", raising=False)
    result = CliRunner().invoke(cli, ["eval", "--set", spec], env={"GROQ_API_KEY": "gsk_unused_0123456789"})
    assert result.exit_code == 2
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith(message)
