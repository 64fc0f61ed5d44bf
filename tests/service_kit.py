"""The whole core as an adapter gets it (``bot.wiring.build_services``), pointed at the fake Groq.

    async with running_service(groq=fake_groq, redis_url=redis_url, step_cap=5) as services:
        async for event in services.service.think(ThinkRequest(question="q")): ...

Keyword arguments are ``Settings`` fields (``chain_deadline``, ``user_rate``, ...). ``redis_url=None`` is the
embedded store. Each call gets its own key prefix, and its keys are removed afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.settings import Settings
from bot.wiring import Services, build_services
from core.state import Store
from tests.fakes.groq_server import FakeGroq

__all__ = ["remove_keys", "running_service", "settings_for"]

MODEL = "meta-llama/llama-4-scout-17b-16e-instruct"


def settings_for(*, groq: FakeGroq, redis_url: str | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "groq_api_key": groq.api_key,
        "groq_base_url": groq.base_url,
        "model": MODEL,
        "redis_url": redis_url,
        "redis_key_prefix": f"test{uuid.uuid4().hex[:12]}",
        "request_timeout": 5.0,
        "user_rate": "1000/1m",
        "place_rate": "1000/1m",
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running_service(*, groq: FakeGroq, redis_url: str | None = None, **overrides: Any) -> AsyncIterator[Services]:
    settings = settings_for(groq=groq, redis_url=redis_url, **overrides)
    async with build_services(settings) as services:
        try:
            yield services
        finally:
            await remove_keys(services.store)


async def remove_keys(store: Store) -> None:
    """Delete every key under ``store``'s prefix (nothing to do in the embedded store, which dies with it)."""
    if not store.embedded and store.guard.available:
        keys = [key async for key in store.redis.scan_iter(match=store.keys.pattern(), count=500)]
        if keys:
            await store.redis.delete(*keys)
