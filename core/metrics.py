"""Counters and histograms of what the service does, exposed in Prometheus' text format.

One :class:`Metrics` is built per process in the entry point, over its own registry (never the client library's
global one), and handed to the service, which shows it every event it yields. Adapters report the platform's 429s
with :meth:`Metrics.platform_rate_limited`.

    thinkbot_chains_started_total{cached}       chains that started (a cache replay is cached="true")
    thinkbot_chains_finished_total{cached}      chains that reached a final answer
    thinkbot_chains_failed_total{kind}          chains that failed or were refused, by ChainFailed.kind
    thinkbot_step_seconds                       thinking time of each live step
    thinkbot_chain_seconds                      total time of each live chain that answered
    thinkbot_llm_tokens_total{type}             prompt and completion tokens of live chains, as their askers saw them
    thinkbot_cache_hits_total                   requests answered from the result cache
    thinkbot_cache_misses_total                 requests that ran (or followed) a live chain
    thinkbot_limit_denials_total{kind}          refusals by a rate limit or the token budget
    thinkbot_platform_rate_limited_total{platform}   429s a chat platform answered us with
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step
from core.kinds import FailureKind

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST

_LIMIT_KINDS = frozenset({FailureKind.RATE_LIMITED, FailureKind.OVER_BUDGET, FailureKind.LIMITS_UNAVAILABLE})
_STEP_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)
_CHAIN_BUCKETS = (1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 60.0, 120.0, 300.0)


class Metrics:
    """The process's metrics; :meth:`observe` every event, :meth:`exposition` for ``/metrics``."""

    def __init__(self, *, namespace: str = "thinkbot") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ns, reg = namespace, self.registry
        self._started = Counter("chains_started", "Chains started.", ["cached"], namespace=ns, registry=reg)
        self._finished = Counter("chains_finished", "Chains answered.", ["cached"], namespace=ns, registry=reg)
        self._failed = Counter("chains_failed", "Chains failed or refused.", ["kind"], namespace=ns, registry=reg)
        self._step = Histogram(
            "step_seconds", "Thinking time per live step.", namespace=ns, registry=reg, buckets=_STEP_BUCKETS
        )
        self._chain = Histogram(
            "chain_seconds", "Total time per answered live chain.", namespace=ns, registry=reg, buckets=_CHAIN_BUCKETS
        )
        self._tokens = Counter("llm_tokens", "LLM tokens of live chains.", ["type"], namespace=ns, registry=reg)
        self._hits = Counter("cache_hits", "Requests answered from the cache.", namespace=ns, registry=reg)
        self._misses = Counter("cache_misses", "Requests that ran a live chain.", namespace=ns, registry=reg)
        self._denials = Counter(
            "limit_denials", "Rate-limit and budget refusals.", ["kind"], namespace=ns, registry=reg
        )
        self._platform_429 = Counter(
            "platform_rate_limited", "429s from a chat platform.", ["platform"], namespace=ns, registry=reg
        )

    async def observed(self, events: AsyncGenerator[Event, None]) -> AsyncGenerator[Event, None]:
        """``events`` as they come, each counted on the way (:meth:`observe`)."""
        async with contextlib.aclosing(events):
            async for event in events:
                self.observe(event)
                yield event

    def observe(self, event: Event) -> None:
        """Count ``event``; cheap enough to call for every event of every chain. A :class:`~core.events.StepDelta`
        counts for nothing: the step it belongs to is counted when it is whole."""
        if isinstance(event, Step):
            if not event.cached:
                self._step.observe(event.elapsed)
        elif isinstance(event, ChainStarted):
            self._started.labels(cached=_flag(event.cached)).inc()
            (self._hits if event.cached else self._misses).inc()
        elif isinstance(event, FinalAnswer):
            self._finished.labels(cached=_flag(event.cached)).inc()
            if not event.cached:
                self._chain.observe(event.total_time)
                self._count_tokens(event.usage.prompt_tokens, event.usage.completion_tokens)
        elif isinstance(event, ChainFailed):
            self._failed.labels(kind=event.kind).inc()
            if event.kind in _LIMIT_KINDS:
                self._denials.labels(kind=event.kind).inc()
            live = [step for step in event.steps if not step.cached]
            self._count_tokens(sum(s.usage.prompt_tokens for s in live), sum(s.usage.completion_tokens for s in live))

    def platform_rate_limited(self, platform: str) -> None:
        """A chat platform answered one of our calls with 429."""
        self._platform_429.labels(platform=platform).inc()

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format (serve it with :data:`CONTENT_TYPE`)."""
        return generate_latest(self.registry)

    def _count_tokens(self, prompt: int, completion: int) -> None:
        if prompt:
            self._tokens.labels(type="prompt").inc(prompt)
        if completion:
            self._tokens.labels(type="completion").inc(completion)


def _flag(value: bool) -> str:
    return "true" if value else "false"
