"""How fast ``thinkbot`` starts: ``import bot.cli``, ``thinkbot --help``, and ``thinkbot ask`` until its first step.

Each figure is the median wall time of ``--runs`` fresh processes (the installed ``thinkbot`` entry point); the
baseline, measured in the same run, is the interpreter alone (``python -c pass``). ``ask`` runs a 3-step g1 chain
(``--json``, the embedded store) against a zero-latency fake Groq in another process
(:mod:`bench.fake_groq_process`), timed from the spawn to the first ``step`` line on its stdout. ``--code DIR``
measures another checkout's code with this venv (a ``git worktree`` of an older commit, for before/after figures).

    python -m bench.start_time [--runs 9] [--code /tmp/old-checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.fake_groq_process import fake_groq_process

THINKBOT = str(Path(sys.executable).with_name("thinkbot"))


def _env(code: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THINKBOT_", "GROQ_", "OPENAI_"))}
    env.pop("REDIS_URL", None)  # the embedded store: Redis set-up is not start-up
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    return {**env, **extra}


def _timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    began = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - began


def _first_step(env: dict[str, str], cwd: Path, question: str) -> float:
    """Seconds from spawning ``thinkbot ask`` to its first step on stdout; the process is then run to its end."""
    began = time.perf_counter()
    with subprocess.Popen(
        [THINKBOT, "ask", "--json", "--strategy", "g1", question],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if json.loads(line).get("type") == "step":
                elapsed = time.perf_counter() - began
                break
        else:
            raise RuntimeError(f"thinkbot ask printed no step (exit {proc.wait()})")
        proc.stdout.read()
    if proc.returncode != 0:
        raise RuntimeError(f"thinkbot ask exited {proc.returncode}")
    return elapsed


def _median(runs: int, measure: Callable[[int], float]) -> float:
    measure(-1)  # warm the OS's file cache; not counted
    return statistics.median(measure(i) for i in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--code", type=Path, help="measure this checkout's code (PYTHONPATH) instead of the installed")
    args = parser.parse_args()
    env = _env(args.code)
    cwd = args.code or Path.cwd()  # ``python -c`` imports from its working directory first
    python = sys.executable
    base = _median(args.runs, lambda _: _timed([python, "-c", "pass"], env, cwd))
    figures = {
        "import bot.cli": _median(args.runs, lambda _: _timed([python, "-c", "import bot.cli"], env, cwd)),
        "thinkbot --help": _median(args.runs, lambda _: _timed([THINKBOT, "--help"], env, cwd)),
    }
    with fake_groq_process(steps=3, delay=0.0) as (base_url, api_key):
        ask_env = _env(args.code, GROQ_API_KEY=api_key, GROQ_BASE_URL=base_url, THINKBOT_PROVIDER="groq")
        figures["thinkbot ask, first step"] = _median(
            args.runs, lambda i: _first_step(ask_env, cwd, f"How many Rs are in strawberry? (run {i})")
        )
    print(f"code: {args.code or 'installed'}; median of {args.runs} runs each")
    print(f"{'python -c pass (baseline)':28} {base * 1000:7.0f} ms")
    for name, seconds in figures.items():
        print(f"{name:28} {seconds * 1000:7.0f} ms  {seconds / base:5.1f}x the baseline")


if __name__ == "__main__":
    main()
