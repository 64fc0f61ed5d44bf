"""Redis round trips and bytes per chain, counted at the socket against a real redis-server, so they cannot creep
back: a fresh 4-step chain in at most 6 round trips, a cache hit in at most 2, bytes linear in the steps."""

from __future__ import annotations

from core.events import Event, FinalAnswer
from core.request import ThinkRequest
from core.service import ThinkService
from tests.core.test_service_state import chain_responder
from tests.fakes.groq_server import FakeGroq
from tests.redis_traffic import Traffic, count_traffic
from tests.service_kit import running_service


async def _ask(service: ThinkService, question: str, n: int) -> list[Event]:
    request = ThinkRequest(question=question, user="u1", place="p1", delivery_key=f"test:{n}")
    events = [event async for event in service.think(request)]
    assert isinstance(events[-1], FinalAnswer), events[-1]
    return events


async def _trips(traffic: Traffic, service: ThinkService, question: str, n: int) -> int:
    traffic.reset()
    await _ask(service, question, n)
    return traffic.trips


async def test_a_fresh_chain_takes_six_round_trips_and_a_cache_hit_two(fake_groq: FakeGroq, redis_url: str) -> None:
    # 50 ms a call, so every step is written on its own (the writer batches what comes within 20 ms).
    fake_groq.respond_with(chain_responder(steps=4, delay=0.05))
    async with running_service(groq=fake_groq, redis_url=redis_url, daily_token_budget=100_000) as services:
        traffic = count_traffic(services.store.redis)
        await _ask(services.service, "A question that loads the scripts", 0)
        # admission; 4 steps, each appended to the record; the end (cache, budget, record, lease, delivery)
        assert await _trips(traffic, services.service, "How many Rs are in strawberry?", 1) == 6
        # admission, which finds the cached chain; the record and the delivery, together
        assert await _trips(traffic, services.service, "How many Rs are in strawberry?", 2) == 2


async def test_bytes_sent_grow_linearly_with_the_steps(fake_groq: FakeGroq, redis_url: str) -> None:
    sent = {}
    for steps in (5, 50):
        fake_groq.respond_with(chain_responder(steps=steps, delay=0.05))
        async with running_service(groq=fake_groq, redis_url=redis_url, step_cap=60) as services:
            traffic = count_traffic(services.store.redis)
            await _ask(services.service, "A question that loads the scripts", 0)
            traffic.reset()
            await _ask(services.service, f"A chain of {steps} steps", 1)
            sent[steps] = traffic.sent
    # Each step is sent about twice (appended to the record, then in the cache). Rewriting the whole record as it
    # grew, as before, sent 14x for 10x the steps here (11.9 KB, 170.9 KB); now it is about 6x (7.9 KB, 50.6 KB).
    assert sent[50] < 10 * sent[5], sent
