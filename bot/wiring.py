"""Builds the core services from settings, once per process, and hands them to adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.settings import Settings
from core.llm.groq_client import GroqClient
from core.llm.openai_client import OpenAICompatibleClient
from core.service import ThinkService
from core.strategies.berry import BerryStrategy
from core.strategies.g1 import G1Strategy

__all__ = ["build_service"]


@asynccontextmanager
async def build_service(settings: Settings) -> AsyncIterator[ThinkService]:
    """The service with its LLM client; the client's connections close when the block ends."""
    settings.require_llm()
    llm: GroqClient | OpenAICompatibleClient
    if settings.provider == "groq":
        assert settings.groq_api_key is not None
        llm = GroqClient(
            api_key=settings.groq_api_key.get_secret_value(),
            base_url=settings.groq_base_url,
            timeout=settings.request_timeout,
            max_retries=settings.llm_max_retries,
            reasoning_headroom=settings.reasoning_headroom,
        )
    else:
        assert settings.openai_base_url is not None
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        llm = OpenAICompatibleClient(
            api_key=key,
            base_url=settings.openai_base_url,
            timeout=settings.request_timeout,
            max_retries=settings.llm_max_retries,
        )
    strategies = {s.name: s for s in (G1Strategy(), BerryStrategy())}
    try:
        yield ThinkService(
            llm=llm, config=settings.chain_config(), strategies=strategies, default_strategy=settings.strategy
        )
    finally:
        await llm.aclose()
