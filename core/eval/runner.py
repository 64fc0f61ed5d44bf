"""Runs every question of a set through strategies × models, ``n`` times each, ``concurrency`` chains at a time.

Each sample is one chain as the bot runs it (:func:`core.chain_runner.run_chain`: the strategy, its deadline and
step cap, failures as ``ChainFailed``) on the question cleaned as the service cleans it, with no history. It goes
around the service's admission (chat rate limits, token budget), result cache and single-flight on purpose: an
eval wants every sample answered fresh, and identical samples must not share one chain. The provider's own rate
limits are the LLM client's business (the SDK waits out a 429's retry-after); a chain that still fails is a
failed sample, never a crashed run.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import string
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass

from core.chain_config import ChainConfig
from core.chain_runner import run_chain
from core.errors import InputError
from core.eval.recording import call_time
from core.eval.scoring import score
from core.eval.sets import Question
from core.events import ChainFailed, FinalAnswer
from core.llm.types import Completion, CompletionRequest, Delta, LLMClient, Usage
from core.strategies.base import ChainContext, Strategy
from core.strategies.prompts import G1_REASK
from core.validation import clean_question

__all__ = ["Job", "Sample", "is_repair", "plan", "run_eval"]


@dataclass(frozen=True, slots=True)
class Job:
    strategy: str
    model: str
    question: Question
    sample: int  # 1..n


@dataclass(frozen=True, slots=True)
class Sample:
    """One chain's outcome. ``failure`` is the ``ChainFailed`` kind (None when answered); a failure is wrong.

    ``latency`` is the chain's wall time in seconds; ``tokens`` every call's prompt and completion tokens, repairs
    included; ``repairs`` the malformed steps the strategy asked the model to write again.
    """

    strategy: str
    model: str
    question_id: str
    sample: int
    expected: str
    answer: str | None
    correct: bool
    failure: str | None
    latency: float
    tokens: int
    steps: int
    repairs: int
    calls: int


def plan(pairs: Sequence[tuple[str, str]], questions: Sequence[Question], n: int) -> list[Job]:
    """Every sample to run: by (strategy, model) pair, question, then sample number."""
    return [
        Job(strategy, model, question, k)
        for strategy, model in pairs
        for question in questions
        for k in range(1, n + 1)
    ]


def _template_pattern(template: str) -> re.Pattern[str]:
    """A template's text with each ``{field}`` matching anything."""
    parts = [
        re.escape(literal) + ("(?s:.*?)" if field is not None else "")
        for literal, field, _, _ in string.Formatter().parse(template)
    ]
    return re.compile("".join(parts) + r"\Z")


_REASK = _template_pattern(G1_REASK)


def is_repair(request: CompletionRequest) -> bool:
    """Whether ``request`` asks the model to write a malformed step again (g1's re-ask)."""
    last = request.messages[-1] if request.messages else None
    return last is not None and last.role == "user" and _REASK.match(last.content) is not None


class _Tally:
    """One sample's view of the LLM: counts its calls, repairs and tokens on the way through."""

    def __init__(self, inner: LLMClient) -> None:
        self._inner = inner
        self.calls = 0
        self.repairs = 0
        self.usage = Usage()

    def _saw(self, request: CompletionRequest) -> None:
        self.calls += 1
        self.repairs += is_repair(request)

    async def complete(self, request: CompletionRequest) -> Completion:
        self._saw(request)
        completion = await self._inner.complete(request)
        self.usage += completion.usage
        return completion

    def stream(self, request: CompletionRequest) -> AsyncIterator[Delta | Completion]:
        self._saw(request)
        return self._stream(request)

    async def _stream(self, request: CompletionRequest) -> AsyncIterator[Delta | Completion]:
        async for item in self._inner.stream(request):
            if isinstance(item, Completion):
                self.usage += item.usage
            yield item


async def _run_one(job: Job, llm: LLMClient, config: ChainConfig, strategy: Strategy, chain_id: str) -> Sample:
    tally = _Tally(llm)
    answer: str | None = None
    failure: str | None = None
    steps = 0
    began = time.monotonic()
    with call_time() as replayed:
        try:
            question = clean_question(job.question.question, max_chars=config.max_question_chars)
        except InputError as exc:
            failure = str(exc.kind)
        else:
            ctx = ChainContext(chain_id=chain_id, question=question, history=(), llm=tally, config=config)
            async with contextlib.aclosing(run_chain(strategy, ctx)) as events:
                async for event in events:
                    if isinstance(event, FinalAnswer):
                        answer, steps = event.text, event.steps
                    elif isinstance(event, ChainFailed):
                        failure, steps = str(event.kind), len(event.steps)
    latency = time.monotonic() - began + replayed.replayed
    return Sample(
        strategy=job.strategy,
        model=job.model,
        question_id=job.question.id,
        sample=job.sample,
        expected=job.question.answer,
        answer=answer,
        correct=answer is not None and score(answer, job.question.answer, job.question.checker),
        failure=failure,
        latency=latency,
        tokens=tally.usage.total_tokens,
        steps=steps,
        repairs=tally.repairs,
        calls=tally.calls,
    )


async def run_eval(
    jobs: Sequence[Job],
    *,
    llm: LLMClient,
    config: ChainConfig,
    strategies: Mapping[str, Strategy],
    concurrency: int,
    on_sample: Callable[[Sample], None] | None = None,
) -> list[Sample]:
    """Every job's sample, in the jobs' order; ``on_sample`` sees each one as it finishes (for a progress bar)."""
    if concurrency < 1:
        raise ValueError("concurrency must be 1 or more")
    configs = {model: dataclasses.replace(config, model=model) for model in {job.model for job in jobs}}
    results: list[Sample | None] = [None] * len(jobs)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(jobs)):
        queue.put_nowait(index)

    async def worker() -> None:
        while not queue.empty():
            index = queue.get_nowait()
            job = jobs[index]
            chain_id = f"eval-{index + 1}"
            sample = await _run_one(job, llm, configs[job.model], strategies[job.strategy], chain_id)
            results[index] = sample
            if on_sample is not None:
                on_sample(sample)

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, len(jobs))):
            group.create_task(worker())
    return [sample for sample in results if sample is not None]
