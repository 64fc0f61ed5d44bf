"""The edges of a worker takeover, against a real redis-server and the fake Groq: a worker that loses its job
stops without a word to the asker (a stop still says so), and a gateway shows a taken-over chain's start and
steps once even when the stream holds them twice."""

from __future__ import annotations

import asyncio
import uuid

from core.chain_job import ChainJob
from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step
from core.kinds import FailureKind
from core.llm.types import Usage
from core.state import SingleFlight
from core.state.jobs import Job
from core.state.singleflight import HandOff
from tests.core.test_service_state import chain_responder
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service


def _job(chain_id: str, token: str) -> Job:
    job = ChainJob(
        chain_id=chain_id,
        flight=f"flight-{chain_id}",
        token=token,
        question="How many Rs are in strawberry?",
        strategy="g1",
        model="meta-llama/llama-4-scout-17b-16e-instruct",
        asker="u1",
        place="p1",
        cache_key=f"cache-{chain_id}",
    )
    return Job(entry_id="1-0", payload=job.to_payload(), deliveries=1)


async def _published(flights: SingleFlight, job: Job) -> list[Event]:
    return await flights.shown(job.payload["flight"], job.payload["token"])


async def test_a_worker_that_loses_its_job_stops_without_a_word(fake_groq: FakeGroq, redis_url: str) -> None:
    fake_groq.respond_with(chain_responder(steps=10, delay=0.2))
    async with running_service(groq=fake_groq, redis_url=redis_url) as services:
        service, flights = services.service, services.service._flights
        lost, stopped = _job("a" * 16, "t1"), _job("b" * 16, "t2")
        running = asyncio.create_task(service.run_job(lost))  # as core.worker runs a job
        while not any(isinstance(e, Step) for e in await _published(flights, lost)):  # noqa: ASYNC110 - a stream
            await asyncio.sleep(0.05)
        running.cancel()  # what core.worker does when another worker claimed the job
        await asyncio.gather(running, return_exceptions=True)
        other = asyncio.create_task(service.run_job(stopped))
        while not any(isinstance(e, Step) for e in await _published(flights, stopped)):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        assert service.cancel(stopped.payload["chain_id"])  # a stop from the asker
        await other
        quiet, told = await _published(flights, lost), await _published(flights, stopped)
    assert not any(isinstance(e, ChainFailed | FinalAnswer) for e in quiet)  # the next worker goes on
    assert isinstance(told[-1], ChainFailed)
    assert told[-1].kind is FailureKind.CANCELLED


async def test_a_gateway_shows_a_taken_over_chain_once(fake_groq: FakeGroq, redis_url: str) -> None:
    async with running_service(groq=fake_groq, redis_url=redis_url) as services:
        store = services.store
        gateway = SingleFlight(redis=store.redis, keys=store.keys, guard=store.guard, block=0.1)
        digest, chain = f"q{uuid.uuid4().hex[:8]}", "c" * 16
        tokens: list[str] = []

        async def hand_off(token: str) -> None:
            tokens.append(token)

        def step(n: int) -> Step:
            return Step(chain, n, f"Step {n}", f"part {n}", 0.1, Usage(prompt_tokens=1))

        start = ChainStarted(chain, "q", "g1", "m")
        follow = gateway.run(digest, lambda: _never(), hand_off=HandOff(send=hand_off, patience=5.0))
        seen: list[Event] = []

        async def collect() -> None:
            seen.extend([e async for e in follow])

        collecting = asyncio.create_task(collect())
        while not tokens:  # noqa: ASYNC110 - the gateway takes the lease, then hands the chain off
            await asyncio.sleep(0.01)
        publish = gateway.store.publish
        # the first worker: a start and two steps; the second goes on from them while the first, slow, still
        # writes its step 2 late; then the second's step 3 and the answer
        await publish(digest, tokens[0], start, step(1), step(2))
        await publish(digest, tokens[0], start, step(2), step(3))
        await publish(digest, tokens[0], FinalAnswer(chain, "3", 1.0, Usage(), 3))
        await asyncio.wait_for(collecting, 5)
        await gateway.aclose()
    assert [type(e).__name__ for e in seen] == ["ChainStarted", "Step", "Step", "Step", "FinalAnswer"]
    assert [e.index for e in seen if isinstance(e, Step)] == [1, 2, 3]


async def _never():  # type: ignore[no-untyped-def]
    raise AssertionError("the gateway ran the chain itself")
    yield
