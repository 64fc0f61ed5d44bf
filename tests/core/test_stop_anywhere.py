"""Stop from anywhere (issue 13, item 2): two services on one real redis-server stand for two replicas. A stop asked on
one replica stops the chain running on the other within a second, with the outcome a local stop gives; a stop for
a chain nobody runs does nothing anywhere; the stop channel hears stops again after Redis restarts."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from bot.wiring import Services
from core.events import ChainFailed, Event, FinalAnswer, Step
from core.kinds import FailureKind
from core.request import ThinkRequest
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq
from tests.redis_server import RedisServer
from tests.service_kit import running_service

pytestmark = pytest.mark.timeout(60)

STOPPED = "Stopped at the asker's request."


def _step(title: str, next_action: str = "continue") -> str:
    return json.dumps({"title": title, "content": f"About {title}.", "next_action": next_action})


@asynccontextmanager
async def replicas(groq: FakeGroq, redis_url: str) -> AsyncIterator[tuple[Services, Services]]:
    """Two services sharing one Redis and key prefix, both listening for stops."""
    prefix = f"test{uuid.uuid4().hex[:12]}"
    async with (
        running_service(groq=groq, redis_url=redis_url, redis_key_prefix=prefix) as a,
        running_service(groq=groq, redis_url=redis_url, redis_key_prefix=prefix) as b,
    ):
        await listeners(a, 2)
        yield a, b


async def listeners(services: Services, count: int, *, within: float = 5.0) -> None:
    """Wait until ``count`` processes listen on the stop channel (Redis's own count of subscribers)."""
    channel = services.store.keys.key("control", "stop")
    async with asyncio.timeout(within):
        while dict(await services.store.redis.pubsub_numsub(channel)).get(channel.encode(), 0) != count:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


@dataclass
class Running:
    """A chain thinking on one replica: its events as they come, when its last one came."""

    chain_id: str = ""
    events: list[Event] = field(default_factory=list)
    first_step: asyncio.Event = field(default_factory=asyncio.Event)
    ended_at: float = 0.0
    task: asyncio.Task[None] | None = None

    async def ended(self) -> Event:
        assert self.task is not None
        await asyncio.wait_for(self.task, 5)
        return self.events[-1]


async def thinking(services: Services, question: str) -> Running:
    """Start ``question`` on ``services`` and return once its first step is out."""
    running = Running()

    async def run() -> None:
        async for event in services.service.think(ThinkRequest(question=question, user="discord:1")):
            running.chain_id = event.chain_id
            running.events.append(event)
            if isinstance(event, Step):
                running.first_step.set()
        running.ended_at = time.monotonic()

    running.task = asyncio.create_task(run())
    await asyncio.wait_for(running.first_step.wait(), 5)
    return running


async def test_a_stop_on_one_replica_stops_the_chain_on_the_other_within_a_second(
    fake_groq: FakeGroq, redis_url: str
) -> None:
    fake_groq.reply(_step("first")).hang()
    async with replicas(fake_groq, redis_url) as (a, b):
        chain = await thinking(a, "Never ends")
        asked = time.monotonic()
        result = await b.service.stop(chain.chain_id)
        answered = time.monotonic()
        failed = await chain.ended()
        record = await b.service.record(chain.chain_id)
        again = await b.service.stop(chain.chain_id)  # nothing left to stop
    assert result == "stopped"
    assert answered - asked < 1.0
    assert chain.ended_at - asked < 1.0
    assert isinstance(failed, ChainFailed)
    # exactly what a local stop gives: tests/core/test_service_state.py
    assert (failed.kind, failed.message) == (FailureKind.CANCELLED, STOPPED)
    assert [s.title for s in failed.steps] == ["first"]
    assert record is not None
    assert record.status == "failed"
    assert again == "not_running"
    assert len(fake_groq.chat_requests) == 2


async def test_a_stop_for_a_chain_nobody_runs_does_nothing_anywhere(fake_groq: FakeGroq, redis_url: str) -> None:
    fake_groq.reply(_step("only", "final_answer")).reply("Done.")
    async with replicas(fake_groq, redis_url) as (a, b):
        finished = await collect(a.service, "Quick one")
        fake_groq.reply(_step("first")).hang()
        other = await thinking(a, "Keeps thinking")
        results = [
            await b.service.stop(finished[0].chain_id),
            await a.service.stop(finished[0].chain_id),
            await b.service.stop("0123456789abcdef"),
        ]
        await asyncio.sleep(0.2)
        still = not other.task.done() if other.task else False
        assert await a.service.stop(other.chain_id) == "stopped"  # the local stop, for the test's own clean-up
        await other.ended()
    assert isinstance(finished[-1], FinalAnswer)
    assert results == ["not_running"] * 3
    assert still  # the unrelated running chain thinks on


async def test_the_embedded_store_stops_locally(fake_groq: FakeGroq) -> None:
    fake_groq.reply(_step("first")).hang()
    async with running_service(groq=fake_groq) as alone:
        chain = await thinking(alone, "Never ends")
        results = [await alone.service.stop("0123456789abcdef"), await alone.service.stop(chain.chain_id)]
        failed = await chain.ended()
    assert results == ["not_running", "stopped"]
    assert isinstance(failed, ChainFailed)
    assert failed.message == STOPPED


async def test_the_stop_channel_hears_stops_again_after_redis_restarts(
    fake_groq: FakeGroq, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="core.state.stops")
    with RedisServer() as server:
        async with replicas(fake_groq, server.url) as (a, b):
            server.stop()
            await asyncio.sleep(0.3)
            during = await b.service.stop("0123456789abcdef")
            await asyncio.sleep(3.0)  # several reconnection attempts
            server.start()
            await listeners(a, 2, within=10)
            fake_groq.reply(_step("first")).hang()
            chain = await thinking(a, "Never ends")
            asked = time.monotonic()
            result = await b.service.stop(chain.chain_id)
            failed = await chain.ended()
    assert during == "unreachable"
    assert result == "stopped"
    assert chain.ended_at - asked < 1.0
    assert isinstance(failed, ChainFailed)
    assert failed.message == STOPPED
    lost = [r for r in caplog.records if "not heard" in r.getMessage()]
    back = [r for r in caplog.records if "heard again" in r.getMessage()]
    assert (len(lost), len(back)) == (2, 2)  # one line each way per replica, however many attempts
    assert all(r.levelno == logging.WARNING for r in lost)
