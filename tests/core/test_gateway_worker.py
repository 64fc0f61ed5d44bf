"""THINKBOT_ROLE=gateway: chains go to `thinkbot worker` processes over Redis Streams, and come back to the gateway
that was asked, against a real redis-server and the fake Groq. A worker SIGKILLed mid-chain is taken over by
another and the asker sees each step once and one answer; a stop at the gateway stops the worker's chain."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from bot.wiring import Services
from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step
from core.request import ThinkRequest
from core.state.jobs import JobQueue
from core.worker import Worker
from tests.core.test_service_state import chain_responder
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service

THINKBOT = str(Path(sys.executable).with_name("thinkbot"))
CLAIM = 0.5


@contextlib.asynccontextmanager
async def worker_in_process(services: Services) -> AsyncIterator[Worker]:
    store, service = services.store, services.service
    queue = JobQueue(redis=store.redis, keys=store.keys, guard=store.guard, claim_after=CLAIM)
    worker = Worker(
        queue=queue, handle=service.run_job, give_up=service.give_up_job, consumer=uuid.uuid4().hex, block=0.2
    )
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        worker.stop()
        await asyncio.wait_for(task, 10)


@contextlib.contextmanager
def worker_process(groq: FakeGroq, redis_url: str, prefix: str) -> Iterator[subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THINKBOT_", "GROQ_", "OPENAI_", "REDIS_"))}
    env |= {
        "GROQ_API_KEY": groq.api_key,
        "GROQ_BASE_URL": groq.base_url,
        "REDIS_URL": redis_url,
        "THINKBOT_REDIS_KEY_PREFIX": prefix,
        "THINKBOT_MODEL": "meta-llama/llama-4-scout-17b-16e-instruct",
        "THINKBOT_JOB_CLAIM_SECONDS": str(CLAIM),
        "PORT": "0",
    }
    proc = subprocess.Popen([THINKBOT, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def gateway(
    groq: FakeGroq, redis_url: str, prefix: str, **settings: Any
) -> contextlib.AbstractAsyncContextManager[Services]:
    return running_service(
        groq=groq, redis_url=redis_url, redis_key_prefix=prefix, role="gateway", job_claim_seconds=CLAIM, **settings
    )


class Seen(list[Event]):
    """The events an asker got, with a wait for the n-th step."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Condition()

    async def steps(self, count: int) -> None:
        async with self.changed:
            await self.changed.wait_for(lambda: sum(isinstance(e, Step) for e in self) >= count)


async def _ask(services: Services, events: Seen, question: str) -> None:
    request = ThinkRequest(question=question, user="u1", place="p1", delivery_key=uuid.uuid4().hex)
    async for event in services.service.think(request):
        async with events.changed:
            events.append(event)
            events.changed.notify_all()


async def test_a_gateway_runs_no_chain_itself(redis_url: str) -> None:
    prefix = f"gw{uuid.uuid4().hex[:10]}"
    with FakeGroq() as gateway_groq, FakeGroq() as worker_groq:
        worker_groq.respond_with(chain_responder(steps=3))
        async with (
            gateway(gateway_groq, redis_url, prefix) as front,
            running_service(groq=worker_groq, redis_url=redis_url, redis_key_prefix=prefix) as back,
            worker_in_process(back),
        ):
            events = Seen()
            await asyncio.wait_for(_ask(front, events, "How many Rs are in strawberry?"), 20)
            record = await front.service.record(events[0].chain_id)
    assert [type(e) for e in events] == [ChainStarted, Step, Step, Step, FinalAnswer]
    assert gateway_groq.chat_requests == []
    assert len(worker_groq.chat_requests) == 4
    assert record is not None
    assert record.status == "answered"
    assert len(record.steps) == 3


async def test_a_worker_killed_mid_chain_is_taken_over_and_each_step_shows_once(
    fake_groq: FakeGroq, redis_url: str
) -> None:
    prefix = f"gw{uuid.uuid4().hex[:10]}"
    fake_groq.respond_with(chain_responder(steps=5, delay=0.3))
    events = Seen()
    async with gateway(fake_groq, redis_url, prefix) as front:
        with worker_process(fake_groq, redis_url, prefix) as doomed:
            asking = asyncio.create_task(_ask(front, events, "How many Rs are in strawberry?"))
            await asyncio.wait_for(events.steps(2), 30)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(10)
        async with running_service(groq=fake_groq, redis_url=redis_url, redis_key_prefix=prefix) as back:
            async with worker_in_process(back):
                await asyncio.wait_for(asking, 30)
            record = await front.service.record(events[0].chain_id)
    assert sum(isinstance(e, ChainStarted) for e in events) == 1
    assert [e.index for e in events if isinstance(e, Step)] == [1, 2, 3, 4, 5]
    assert [type(e) for e in events if isinstance(e, FinalAnswer | ChainFailed)] == [FinalAnswer]
    assert record is not None
    assert [s.index for s in record.steps] == [1, 2, 3, 4, 5]
    # g1 went on from the two steps shown: the second worker's first request already held them
    second = [r for r in fake_groq.chat_requests if sum(m["role"] == "assistant" for m in r.messages) == 3]
    assert second, "no request resumed from the two steps shown"


async def test_a_stop_at_the_gateway_stops_the_workers_chain(fake_groq: FakeGroq, redis_url: str) -> None:
    prefix = f"gw{uuid.uuid4().hex[:10]}"
    fake_groq.respond_with(chain_responder(steps=20, delay=0.2))
    events = Seen()
    async with (
        gateway(fake_groq, redis_url, prefix) as front,
        running_service(groq=fake_groq, redis_url=redis_url, redis_key_prefix=prefix) as back,
        worker_in_process(back),
    ):
        asking = asyncio.create_task(_ask(front, events, "How many Rs are in strawberry?"))
        await asyncio.wait_for(events.steps(1), 20)
        assert await front.service.stop(events[0].chain_id) == "stopped"
        await asyncio.wait_for(asking, 10)
        calls = len(fake_groq.chat_requests)
        await asyncio.sleep(0.6)
        assert len(fake_groq.chat_requests) == calls  # the worker's chain stopped too
    assert isinstance(events[-1], ChainFailed)
    assert events[-1].kind == "cancelled"
    assert len([e for e in events if isinstance(e, Step)]) < 20
