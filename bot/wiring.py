"""Builds the core services from settings, once per process, and hands them to adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.chat_settings import ChatSettings
from bot.settings import Settings
from core.admission import Admission
from core.concurrency import ConcurrencyCap
from core.errors import ConfigError
from core.llm.structured import StructuredOutputs
from core.llm.types import LLMClient
from core.metrics import Metrics
from core.places import Places
from core.service import ThinkService
from core.state import (
    ChainRecords,
    Deduper,
    MessageIndex,
    Rate,
    RateLimiter,
    ResultCache,
    SingleFlight,
    StopChannel,
    Store,
    TokenBudget,
    connect,
)
from core.state.intake import Intake
from core.state.jobs import JobQueue
from core.state.place_settings import PlaceSettingsStore
from core.strategies.registry import STRATEGIES
from core.toggles import Toggles

if TYPE_CHECKING:
    from core.llm.groq_client import GroqClient
    from core.llm.openai_client import OpenAICompatibleClient

__all__ = ["Services", "assemble_service", "build_llm", "build_services", "build_toggles"]


@dataclass(frozen=True, slots=True)
class Services:
    service: ThinkService
    store: Store
    settings: Settings
    metrics: Metrics


@asynccontextmanager
async def build_services(settings: Settings, *, metrics: Metrics | None = None) -> AsyncIterator[Services]:
    """The service with its LLM client, Redis store and metrics; all connections close when the block ends."""
    settings.require_llm()
    metrics = metrics or Metrics()
    llm = build_llm(settings)
    store = connect(settings.redis_config())
    flights = SingleFlight(redis=store.redis, keys=store.keys, guard=store.guard)
    # One process on the embedded store: a stop is always local. With Redis, stops reach every replica.
    stops = None if store.embedded else StopChannel(redis=store.redis, keys=store.keys, guard=store.guard)
    places = PlaceSettingsStore(redis=store.redis, keys=store.keys, guard=store.guard)
    service = assemble_service(
        llm=llm, settings=settings, store=store, flights=flights, metrics=metrics, stops=stops, places=places
    )
    if stops is not None:
        stops.start(service.cancel, also={places.channel: places.forget})
    try:
        yield Services(service=service, store=store, settings=settings, metrics=metrics)
    finally:
        if stops is not None:
            await stops.aclose()
        await flights.aclose()
        await store.close()
        await llm.aclose()


def build_llm(settings: Settings) -> GroqClient | OpenAICompatibleClient:
    """The configured provider's client; only its SDK is imported (each takes a second or so to import)."""
    structured = StructuredOutputs.parse(settings.structured_outputs)
    if settings.provider == "groq":
        from core.llm.groq_client import GroqClient

        assert settings.groq_api_key is not None
        return GroqClient(
            api_key=settings.groq_api_key.get_secret_value(),
            base_url=settings.groq_base_url,
            timeout=settings.request_timeout,
            max_retries=settings.llm_max_retries,
            reasoning_headroom=settings.reasoning_headroom,
            max_connections=settings.llm_max_connections,
            reasoning_effort=settings.reasoning_effort,
            structured_outputs=structured,
        )
    from core.llm.openai_client import OpenAICompatibleClient

    assert settings.openai_base_url is not None
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return OpenAICompatibleClient(
        api_key=key,
        base_url=settings.openai_base_url,
        timeout=settings.request_timeout,
        max_retries=settings.llm_max_retries,
        structured_outputs=structured,
    )


def assemble_service(
    *,
    llm: LLMClient,
    settings: Settings,
    store: Store,
    flights: SingleFlight,
    metrics: Metrics | None = None,
    stops: StopChannel | None = None,
    places: PlaceSettingsStore | None = None,
) -> ThinkService:
    """The service over ``store``; ``flights`` and ``stops`` are passed in because they own tasks that must be
    closed."""
    parts: dict[str, Any] = {"redis": store.redis, "keys": store.keys, "guard": store.guard}
    jobs = None
    if settings.role == "gateway":
        if store.embedded:
            raise ConfigError("THINKBOT_ROLE=gateway needs REDIS_URL: the workers take their chains from Redis.")
        jobs = JobQueue(**parts, claim_after=settings.job_claim_seconds)
    budget = TokenBudget(**parts, daily_tokens=settings.daily_token_budget) if settings.daily_token_budget else None
    cache = ResultCache(**parts, ttl=settings.cache_ttl)
    records = ChainRecords(**parts, ttl=settings.record_ttl)
    dedupe = Deduper(**parts, lease_ttl=settings.chain_deadline + 60)
    intake = Intake(
        redis=store.redis,
        keys=store.keys,
        guard=store.guard,
        per_user=RateLimiter(**parts, scope="user", rate=Rate.parse(settings.user_rate)),
        per_place=RateLimiter(**parts, scope="place", rate=Rate.parse(settings.place_rate)),
        budget=budget,
        dedupe=dedupe,
        cache=cache,
        flights=flights.store,
        records=records,
    )
    strategies = STRATEGIES.build_all()
    return ThinkService(
        llm=llm,
        config=settings.chain_config(),
        strategies=strategies,
        default_strategy=settings.strategy,
        admission=Admission(intake=intake, budget=budget),
        cache=cache,
        flights=flights,
        records=records,
        messages=MessageIndex(**parts, ttl=settings.record_ttl),
        dedupe=dedupe,
        cap=ConcurrencyCap(limit=settings.max_concurrent_chains),
        metrics=metrics,
        stops=stops,
        jobs=jobs,
        places=Places(
            store=places,
            default_model=settings.model,
            allowed_models=settings.model_choices(),
            strategies=tuple(strategies),
            budget_cap=settings.daily_token_budget,
        ),
    )


def build_toggles(store: Store, settings: ChatSettings) -> Toggles:
    """The expand/collapse limits of one chat adapter, over the shared store (so replicas share the counts)."""
    return Toggles(
        redis=store.redis,
        keys=store.keys,
        guard=store.guard,
        per_message=Rate.parse(settings.toggle_rate_message),
        per_user=Rate.parse(settings.toggle_rate_user),
    )
