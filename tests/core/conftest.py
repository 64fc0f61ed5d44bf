"""The service as wired in production (embedded store) around a real GroqClient pointed at the fake Groq."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest

from core.events import Event
from core.request import ThinkRequest
from core.service import ThinkService
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service

ServiceFactory = Callable[..., Awaitable[ThinkService]]


@pytest.fixture(params=["redis", "embedded"])
def backend(request: pytest.FixtureRequest, redis_url: str) -> str | None:
    """Each test twice: against a real redis-server (its URL) and the embedded store (None)."""
    return redis_url if request.param == "redis" else None


@pytest.fixture
async def make_service(fake_groq: FakeGroq) -> AsyncIterator[ServiceFactory]:
    """``await make_service(step_cap=4, deadline=0.5, ...)``: ChainConfig-style names, embedded store."""
    async with AsyncExitStack() as stack:

        async def build(**config: object) -> ThinkService:
            if "deadline" in config:
                config["chain_deadline"] = config.pop("deadline")
            services = await stack.enter_async_context(running_service(groq=fake_groq, **config))
            return services.service

        yield build


async def collect(service: ThinkService, question: str = "How many Rs are in strawberry?", **kw: object) -> list[Event]:
    return [event async for event in service.think(ThinkRequest(question=question, **kw))]  # type: ignore[arg-type]
