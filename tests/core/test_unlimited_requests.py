"""A request with ``limited=False`` (``thinkbot ask``'s own user) skips both rate limits but not the budget."""

from __future__ import annotations

from core.events import ChainFailed, FinalAnswer
from tests.core.conftest import collect
from tests.core.test_service_state import chain_responder
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service


async def test_an_unlimited_request_passes_both_rate_limits_and_is_not_counted(fake_groq: FakeGroq, backend):
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=backend, user_rate="1/1h", place_rate="1/1h") as services:
        unlimited = [await collect(services.service, f"q{n}", limited=False) for n in range(3)]
        counted = await collect(services.service, "q3")  # the first one the limits count
        refused = await collect(services.service, "q4")
    assert all(isinstance(events[-1], FinalAnswer) for events in unlimited)
    assert isinstance(counted[-1], FinalAnswer)
    assert isinstance(refused[0], ChainFailed)
    assert refused[0].kind == "rate_limited"


async def test_an_unlimited_request_still_spends_the_budget(fake_groq: FakeGroq, backend):
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=backend, daily_token_budget=500) as services:
        answered = await collect(services.service, "q1", limited=False)
        refused = await collect(services.service, "q2", limited=False)
    assert isinstance(answered[-1], FinalAnswer)
    assert isinstance(refused[0], ChainFailed)
    assert refused[0].kind == "over_budget"
