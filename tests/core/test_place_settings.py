"""Settings per server or workspace, in Redis over the deployment's defaults: a change on one replica is used by
another at once; the model an admin chose is the one the LLM receives; channel and role allowlists; the checks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest

from core.errors import InputError
from core.events import ChainFailed, FinalAnswer
from core.places import PlaceSettings
from core.request import ThinkRequest
from core.service import ThinkService
from tests.core.test_service_state import chain_responder
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import MODEL, running_service

OTHER = "openai/gpt-oss-20b"


async def _ask(service: ThinkService, **request: object) -> list[object]:
    return [e async for e in service.think(ThinkRequest(question="How many Rs?", fresh=True, **request))]  # type: ignore[arg-type]


async def _until(check: Callable[[], Awaitable[bool]], seconds: float = 3.0) -> None:
    async with asyncio.timeout(seconds):
        while not await check():  # noqa: ASYNC110 - the change arrives over Redis pub/sub in another service
            await asyncio.sleep(0.01)


async def test_a_change_on_one_replica_is_used_by_another_at_once(fake_groq: FakeGroq, redis_url: str) -> None:
    fake_groq.respond_with(chain_responder(steps=1))
    prefix = f"places{uuid.uuid4().hex[:8]}"
    settings = {"redis_url": redis_url, "redis_key_prefix": prefix, "allowed_models": OTHER}
    async with running_service(groq=fake_groq, **settings) as one, running_service(groq=fake_groq, **settings) as two:
        place = "discord:guild7"
        assert (await two.service.place_settings(place)).model is None  # read, and kept for a while
        await one.service.change_place_settings(place, PlaceSettings(model=OTHER, strategy="berry"), by="discord:9")

        async def seen() -> bool:
            return (await two.service.place_settings(place)).model == OTHER

        await _until(seen)
        events = await _ask(two.service, place=place)
    assert isinstance(events[-1], FinalAnswer)
    assert {r.model for r in fake_groq.chat_requests} == {OTHER}  # what the admin chose, not the default
    assert len(fake_groq.chat_requests) == 4  # berry: three turns and a synthesis


async def test_channel_and_role_allowlists(fake_groq: FakeGroq, redis_url: str) -> None:
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=redis_url) as services:
        service, place = services.service, "slack:T1"
        await service.change_place_settings(place, PlaceSettings(channels=("C1",), roles=("S1",)), by="slack:U1")
        elsewhere = await _ask(service, place=place, channel="C2", roles=("S1",))
        outsider = await _ask(service, place=place, channel="C1", roles=("S2",))
        member = await _ask(service, place=place, channel="C1", roles=("S2", "S1"))
    for refused, word in ((elsewhere, "channels"), (outsider, "roles")):
        assert len(refused) == 1
        assert isinstance(refused[0], ChainFailed)
        assert refused[0].kind == "not_allowed"
        assert word in refused[0].message
    assert isinstance(member[-1], FinalAnswer)
    assert len(fake_groq.chat_requests) == 2  # the refused ones cost nothing


async def test_a_place_budget_below_the_operators(fake_groq: FakeGroq, redis_url: str) -> None:
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=redis_url, daily_token_budget=10_000) as services:
        service = services.service
        with pytest.raises(InputError, match="from 1 to 10,000"):
            await service.change_place_settings("p", PlaceSettings(daily_tokens=20_000), by="admin")
        with pytest.raises(InputError, match="not offered"):
            await service.change_place_settings("p", PlaceSettings(model=OTHER), by="admin")
        with pytest.raises(InputError, match="Unknown strategy"):
            await service.change_place_settings("p", PlaceSettings(strategy="nope"), by="admin")
        await service.change_place_settings("p", PlaceSettings(daily_tokens=1), by="admin")
        first = await _ask(service, place="p")
        second = await _ask(service, place="p")
    assert isinstance(first[-1], FinalAnswer)
    assert isinstance(second[-1], ChainFailed)
    assert second[-1].kind == "over_budget"
    assert "of 1)" in second[-1].message


async def test_defaults_without_settings(fake_groq: FakeGroq, redis_url: str) -> None:
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=redis_url) as services:
        assert await services.service.place_settings("nowhere") == PlaceSettings()
        await _ask(services.service, place="nowhere", channel="any")
    assert {r.model for r in fake_groq.chat_requests} == {MODEL}


async def test_usage_counts_the_day_of_a_place(fake_groq: FakeGroq, redis_url: str) -> None:
    fake_groq.respond_with(chain_responder(steps=1))
    async with running_service(groq=fake_groq, redis_url=redis_url, daily_token_budget=50_000) as services:
        service = services.service
        await service.change_place_settings("g", PlaceSettings(daily_tokens=20_000), by="admin")
        await _ask(service, place="g")
        await _ask(service, place="g", strategy="berry")
        cached = [e async for e in service.think(ThinkRequest(question="How many Rs?", place="g"))]
        usage = await service.usage("g")
        elsewhere = await service.usage("h")
    assert all(getattr(e, "cached", False) for e in cached)
    assert (usage.questions, usage.cache_hits, usage.strategies) == (3, 1, {"g1": 1, "berry": 1})
    assert usage.tokens > 0
    assert usage.token_limit == 20_000
    assert (elsewhere.questions, elsewhere.tokens, elsewhere.token_limit) == (0, 0, 50_000)
