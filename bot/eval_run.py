"""What ``thinkbot eval`` does (its click definition is :mod:`bot.eval_command`): question sets through strategies
× models, scored, summed up in a table (or JSON and files).

The LLM client is built here, when the command runs (or, with ``--replay``, none at all: the recording answers).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console

from bot.eval_files import RunPlan, load_plan, save_plan, summary_json, write_results
from bot.eval_view import advance, progress_bar, results_tables
from bot.logs import configure_logging, secret_values
from bot.settings import Settings, load_settings
from bot.wiring import build_llm
from core.errors import ConfigError
from core.eval.recording import RecordingLLM, ReplayLLM
from core.eval.runner import Sample, plan, run_eval
from core.eval.sets import QuestionSetError, check_ready, load_set, set_name
from core.eval.summary import failure_counts, summarise
from core.llm.types import LLMClient
from core.strategies.registry import STRATEGIES

__all__ = ["default_pairs", "eval_and_exit"]

_BAD_INPUT = 2


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in (value or "").split(",") if part.strip()))


def default_pairs(models: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Every registered strategy on every model, except where the registry says it cannot run there."""
    return tuple((e.name, m) for e in STRATEGIES.entries() for m in models if e.runs_on(m))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(_BAD_INPUT)


def _checked_strategies(names: tuple[str, ...]) -> tuple[str, ...]:
    for name in names:
        STRATEGIES.check(name)
    return names


def _live_plan(
    settings: Settings, set_spec: str | None, strategies: str | None, models: str | None, n: int | None
) -> RunPlan:
    chosen_models = _names(models) or (settings.model,)
    chosen = _checked_strategies(_names(strategies))
    pairs = tuple(itertools.product(chosen, chosen_models)) if chosen else default_pairs(chosen_models)
    if not pairs:
        raise ConfigError(f"no registered strategy runs on {', '.join(chosen_models)}")
    spec = set_spec or "letters"
    return RunPlan(
        set_name=set_name(spec),
        questions=load_set(spec),
        pairs=pairs,
        samples=n or 1,
        config=settings.chain_config(),
    )


def _replay_plan(
    directory: Path, set_spec: str | None, strategies: str | None, models: str | None, n: int | None
) -> RunPlan:
    """The recorded run's plan; options given on the command line replace its parts."""
    recorded = load_plan(directory)
    pairs = recorded.pairs
    if strategies or models:
        chosen = _checked_strategies(_names(strategies) or recorded.strategies)
        pairs = tuple(itertools.product(chosen, _names(models) or recorded.models))
    return RunPlan(
        set_name=set_name(set_spec) if set_spec else recorded.set_name,
        questions=load_set(set_spec) if set_spec else recorded.questions,
        pairs=pairs,
        samples=n or recorded.samples,
        config=recorded.config,
    )


async def _run(run_plan: RunPlan, llm: LLMClient, concurrency: int, errors: Console) -> list[Sample]:
    built = STRATEGIES.build_all()
    jobs = plan(run_plan.pairs, run_plan.questions, run_plan.samples)
    strategies = {name: built[name] for name in run_plan.strategies}
    with progress_bar(errors, len(jobs)) as progress:
        return await run_eval(
            jobs,
            llm=llm,
            config=run_plan.config,
            strategies=strategies,
            concurrency=concurrency,
            on_sample=lambda sample: advance(progress, sample),
        )


async def _run_live(
    run_plan: RunPlan, settings: Settings, record: Path | None, concurrency: int, errors: Console
) -> list[Sample]:
    client = build_llm(settings)
    recorder = RecordingLLM(client, record) if record else None
    try:
        return await _run(run_plan, recorder or client, concurrency, errors)
    finally:
        if recorder is not None:
            recorder.close()
        await client.aclose()


def eval_and_exit(
    *,
    set_spec: str | None,
    strategies: str | None,
    models: str | None,
    n: int | None,
    limit: int | None,
    concurrency: int,
    out: Path | None,
    as_json: bool,
    record: Path | None,
    replay: Path | None,
) -> None:
    """``thinkbot eval``'s body: run, print, write; exits 1 when a replay missed calls, 2 on bad options."""
    if record and replay:
        _fail("--record and --replay cannot be used together")
    settings: Settings | None = None
    replayer: ReplayLLM | None = None
    try:
        if replay:
            run_plan = _replay_plan(replay, set_spec, strategies, models, n)
            replayer = ReplayLLM(replay)
        else:
            settings = load_settings()
            settings.require_llm()
            run_plan = _live_plan(settings, set_spec, strategies, models, n)
        check_ready(run_plan.questions)
    except (ConfigError, QuestionSetError, ValueError, OSError) as exc:
        _fail(str(exc))
    configure_logging(level="ERROR", fmt="brief", secrets=secret_values(settings))
    if limit:
        run_plan = dataclasses.replace(run_plan, questions=run_plan.questions[:limit])
    if record:
        save_plan(record, run_plan)
    errors = Console(stderr=True)
    try:
        if settings is not None:
            samples = asyncio.run(_run_live(run_plan, settings, record, concurrency, errors))
        else:
            assert replayer is not None
            samples = asyncio.run(_run(run_plan, replayer, concurrency, errors))
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    rows = summarise(samples)
    if as_json:
        click.echo(json.dumps(summary_json(run_plan, rows), ensure_ascii=False))
    else:
        title = (
            f"{run_plan.set_name}: {_count(len(run_plan.questions), 'question')} × {_count(run_plan.samples, 'sample')}"
        )
        console = Console()
        for table in results_tables(rows, title=title):
            console.print(table)
    failed = failure_counts(samples)
    if failed:
        kinds = ", ".join(f"{kind} {count}" for kind, count in failed.items())
        click.echo(f"Failed samples by kind: {kinds}.", err=True)
    if out is not None:
        for note in write_results(out, run_plan, rows, samples):
            click.echo(note, err=True)
    if replayer is not None and replayer.misses:
        click.echo(
            f"{replayer.misses} calls were not in the recording {replay} (recorded with other options or prompts?); "
            "their samples count as failed.",
            err=True,
        )
        sys.exit(1)
