"""A request meeting a full Redis connection pool is refused as ``busy``: nothing runs, nothing is charged, and the
platform's redelivery of it is taken again (real redis-server, a pool of two)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from bot.wiring import assemble_service, build_llm
from core.events import ChainFailed, Event, FinalAnswer
from core.kinds import FailureKind
from core.request import ThinkRequest
from core.service import ThinkService
from core.state import (
    RedisConfig,
    SingleFlight,
    Store,
    TokenBudget,
    connect,
)
from tests.core.state.test_full_pool import POOL_TIMEOUT, pool_held
from tests.core.test_service_state import chain_responder
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import remove_keys, settings_for

DELIVERY = "slack:T1:EvBusy"


@pytest.fixture
async def stores(redis_url: str) -> AsyncIterator[tuple[Store, Store]]:
    """Two clients of one key space: a pool of two that the test fills, and a roomy one for the dedupe lease.

    The lease is claimed through the roomy pool so that the claim succeeds and the full pool is met by the checks
    after it: the case where a refusal that marked the delivery done would lose the question for good.
    """
    prefix = f"test{uuid.uuid4().hex[:12]}"
    tight = connect(RedisConfig(url=redis_url, key_prefix=prefix, max_connections=2, pool_timeout=POOL_TIMEOUT))
    roomy = connect(RedisConfig(url=redis_url, key_prefix=prefix))
    yield tight, roomy
    await remove_keys(roomy)
    await tight.close()
    await roomy.close()


async def test_a_full_pool_refuses_as_busy_and_releases_the_delivery(
    fake_groq: FakeGroq, stores: tuple[Store, Store], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="core.state")
    fake_groq.respond_with(chain_responder(steps=1))
    tight, _roomy = stores
    settings = settings_for(groq=fake_groq, redis_url=None, daily_token_budget=10_000)
    parts = {"redis": tight.redis, "keys": tight.keys, "guard": tight.guard}
    budget = TokenBudget(**parts, daily_tokens=settings.daily_token_budget)
    async with AsyncExitStack() as stack:
        llm = build_llm(settings)
        stack.push_async_callback(llm.aclose)
        flights = SingleFlight(**parts)
        stack.push_async_callback(flights.aclose)
        # One store for everything: admission claims the delivery in the same script as the limits, so a full
        # pool claims nothing at all.
        service = assemble_service(llm=llm, settings=settings, store=tight, flights=flights)
        request = ThinkRequest(question="q", user="u1", place="g1", delivery_key=DELIVERY)

        async with pool_held(tight):
            refused = await _collect(service, request)
        assert [type(e) for e in refused] == [ChainFailed]
        failed = refused[0]
        assert isinstance(failed, ChainFailed)
        assert failed.kind is FailureKind.BUSY
        assert failed.message == "I'm handling a lot of questions right now. Please try again in 5 s."
        assert failed.retry_after == 5.0
        assert fake_groq.chat_requests == []  # nothing ran
        assert (await budget.check("g1")).used == 0  # nothing charged

        # The platform redelivers once the pool has room: answered, so the lease was released (a lease left in
        # place, or one marked done, would make it a duplicate).
        answered = await _collect(service, request)
    assert isinstance(answered[-1], FinalAnswer)
    assert tight.guard.available
    assert not [r for r in caplog.records if "unreachable" in r.getMessage()]


async def _collect(service: ThinkService, request: ThinkRequest) -> list[Event]:
    return [event async for event in service.think(request)]
