"""A real GroqClient pointed at the fake Groq, and helpers to build a service around it."""

from collections.abc import AsyncIterator, Callable

import pytest

from core.chain_config import ChainConfig
from core.events import Event
from core.llm.groq_client import GroqClient
from core.request import ThinkRequest
from core.service import ThinkService
from core.strategies.berry import BerryStrategy
from core.strategies.g1 import G1Strategy
from tests.fakes.groq_server import FakeGroq

MODEL = "meta-llama/llama-4-scout-17b-16e-instruct"


@pytest.fixture
async def groq_llm(fake_groq: FakeGroq) -> AsyncIterator[GroqClient]:
    client = GroqClient(api_key=fake_groq.api_key, base_url=fake_groq.base_url, timeout=5, max_retries=2)
    yield client
    await client.aclose()


ServiceFactory = Callable[..., ThinkService]


@pytest.fixture
def make_service(groq_llm: GroqClient) -> ServiceFactory:
    def build(**config: object) -> ThinkService:
        return ThinkService(
            llm=groq_llm,
            config=ChainConfig(**{"model": MODEL, **config}),  # type: ignore[arg-type]
            strategies={"g1": G1Strategy(), "berry": BerryStrategy()},
            default_strategy="g1",
        )

    return build


async def collect(service: ThinkService, question: str = "How many Rs are in strawberry?", **kw: object) -> list[Event]:
    return [event async for event in service.think(ThinkRequest(question=question, **kw))]  # type: ignore[arg-type]
