"""Fixtures for the LLM provider tests: real SDK clients pointed at the fake Groq server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.llm import GroqClient, OpenAICompatibleClient
from tests.core.llm.sample import MakeGroq, MakeOpenAI
from tests.fakes.groq_server import FakeGroq


@pytest.fixture
async def make_groq(fake_groq: FakeGroq) -> AsyncIterator[MakeGroq]:
    """Build GroqClients against the fake (fast defaults: 2 s timeout, 2 retries, 256 headroom); closed after."""
    clients: list[GroqClient] = []

    def make(**options: Any) -> GroqClient:
        settings = {"api_key": fake_groq.api_key, "base_url": fake_groq.base_url, "timeout": 2.0, "max_retries": 2}
        client = GroqClient(**{**settings, "reasoning_headroom": 256, **options})
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def make_openai(fake_groq: FakeGroq) -> AsyncIterator[MakeOpenAI]:
    clients: list[OpenAICompatibleClient] = []

    def make(**options: Any) -> OpenAICompatibleClient:
        settings = {"api_key": fake_groq.api_key, "base_url": fake_groq.openai_base_url, "timeout": 2.0}
        client = OpenAICompatibleClient(**{**settings, "max_retries": 2, **options})
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
