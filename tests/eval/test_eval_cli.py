"""``thinkbot eval`` as a user runs it: the installed entry point in a subprocess, against the fake Groq."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.eval_run import default_pairs
from core.strategies.bare import BareStrategy
from core.strategies.registry import STRATEGIES, StrategyEntry
from tests.eval.kit import addition_file, wrong_for_bare
from tests.fakes.groq_server import FakeGroq

THINKBOT = str(Path(sys.executable).with_name("thinkbot"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LATENCIES = ("latency_median", "latency_p90")


def thinkbot_args(cwd: Path, *args: str, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("THINKBOT_", "GROQ_", "OPENAI_"))}
    return {
        "args": [THINKBOT, *args],
        "cwd": cwd,
        "env": {**clean, "COLUMNS": "120", "THINKBOT_BERRY_TURNS": "2", **env},
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "text": True,
    }


def together(*runs: dict) -> list[subprocess.CompletedProcess[str]]:
    """Run the commands at the same time; their results in order."""
    procs = [subprocess.Popen(**run) for run in runs]
    results = []
    for run, proc in zip(runs, procs, strict=True):
        out, err = proc.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(run["args"], proc.returncode, out, err))
    return results


def thinkbot(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    [result] = together(thinkbot_args(cwd, *args, **env))
    return result


def without_latency(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in LATENCIES} for row in rows]


@pytest.fixture
def sums(tmp_path: Path) -> Path:
    path = tmp_path / "sums.jsonl"
    path.write_text(addition_file(10), encoding="utf-8")
    return path


def test_eval_scores_bare_0_and_the_chains_100_writes_files_and_replays_offline(tmp_path: Path, sums: Path) -> None:
    out, recording = tmp_path / "out", tmp_path / "recording"
    with FakeGroq(responder=wrong_for_bare()) as fake:
        groq = {"GROQ_API_KEY": fake.api_key, "GROQ_BASE_URL": fake.base_url}
        args = ("--set", str(sums), "--strategies", "bare,g1,berry", "--concurrency", "16", "--out", str(out))
        args += ("--record", str(recording))
        result = thinkbot(tmp_path, "eval", *args, **groq)
        calls = len(fake.chat_requests)
    assert result.returncode == 0, result.stderr
    assert "Failed samples" not in result.stderr
    assert calls == 10 * (1 + 3 + 3)  # bare 1 call, g1 2 steps and the answer, berry 2 turns and the synthesis
    lines = result.stdout.splitlines()
    assert "openai/gpt-oss-120b · sums: 10 questions × 1 sample" in lines[0]
    shown = {line.split()[0]: line.split()[1:4] for line in lines if line.split()[:1] in (["bare"], ["g1"], ["berry"])}
    assert shown == {"bare": ["0%", "0–28%", "10"], "g1": ["100%", "72–100%", "10"], "berry": ["100%", "72–100%", "10"]}

    written = json.loads((out / "results.json").read_text(encoding="utf-8"))
    rows = {row["strategy"]: row for row in written["rows"]}
    assert [rows[s]["accuracy"] for s in ("bare", "g1", "berry")] == [0.0, 1.0, 1.0]
    assert rows["bare"]["high"] == pytest.approx(0.2775, abs=1e-4)  # Wilson's 95 % upper bound for 0 of 10
    assert (written["set"], written["questions"], written["n"], len(written["samples"])) == ("sums", 10, 1, 30)
    with (out / "results.csv").open(encoding="utf-8") as file:
        table = list(csv.DictReader(file))
    assert len(table) == 30
    assert {r["correct"] for r in table if r["strategy"] == "bare"} == {"False"}
    chart = (out / "chart.png").read_bytes()
    assert chart.startswith(PNG_SIGNATURE)
    assert len(chart) > 10_000

    # the fake is stopped and no key is set: the recording alone answers; and a replay of other options than the
    # recorded ones misses their calls, says so once and exits 1 (both run at once, to keep the test short)
    offline = {"GROQ_BASE_URL": fake.base_url}
    other = ("--models", "qwen/qwen3-32b", "--limit", "2", "--strategies", "bare")
    replayed, missed = together(
        thinkbot_args(tmp_path, "eval", "--replay", str(recording), "--json", **offline),
        thinkbot_args(tmp_path, "eval", "--replay", str(recording), *other, "--json", **offline),
    )
    assert replayed.returncode == 0, replayed.stderr
    assert without_latency(json.loads(replayed.stdout)["rows"]) == without_latency(written["rows"])
    assert missed.returncode == 1
    assert "2 calls were not in the recording" in missed.stderr
    assert "Failed samples by kind: llm 2." in missed.stderr
    assert json.loads(missed.stdout)["rows"][0]["failures"] == 2


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("--strategies", "g1,nope"), {}, "unknown strategy 'nope'; choose one of: g1, berry, bare"),
        (("--set", "nope"), {}, "no set named 'nope'"),
        (("--record", "a", "--replay", "b"), {}, "--record and --replay cannot be used together"),
        (("--replay", "nowhere"), {}, "run.json not found: record a run with --record nowhere first"),
        ((), {"GROQ_API_KEY": ""}, "GROQ_API_KEY is not set"),
    ],
)
def test_bad_options_exit_2_with_one_clear_line(tmp_path: Path, monkeypatch, args, env, message) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"GROQ_API_KEY": "gsk_unused_0123456789", **env}
    result = CliRunner().invoke(cli, ["eval", *args], env={k: v or None for k, v in env.items()})
    assert result.exit_code == 2
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_help_names_the_options() -> None:
    result = CliRunner().invoke(cli, ["eval", "--help"], terminal_width=120)
    assert result.exit_code == 0
    for option in ("--set", "--strategies", "--models", "--n", "--concurrency", "--out", "--json", "--record",
                   "--replay", "letters, decimals, arithmetic"):  # fmt: skip
        assert option in result.output


PICKY = StrategyEntry(
    name="picky",
    description="runs on gpt-oss only",
    build=BareStrategy,
    runs_on=lambda model: model.startswith("openai/gpt-oss"),
)


def test_the_default_strategies_are_the_registry_s_where_they_run() -> None:
    models = ("openai/gpt-oss-120b", "qwen/qwen3-32b", "llama-3.3-70b-versatile")
    before = default_pairs(models)
    assert [s for s, m in before if m == "qwen/qwen3-32b"] == list(STRATEGIES.names())
    assert [s for s, m in before if m == "llama-3.3-70b-versatile"] == [n for n in STRATEGIES.names() if n != "native"]
    with STRATEGIES.added(PICKY):
        after = default_pairs(models)
    assert after == (*before, ("picky", "openai/gpt-oss-120b"))
