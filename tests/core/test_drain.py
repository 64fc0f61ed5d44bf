"""The drain through the real service: finish within the grace period, interrupt past it, refuse new work."""

from __future__ import annotations

import asyncio

from core.drain import INTERRUPTED, RESTARTING, GracefulService
from core.events import ChainFailed, Event, FinalAnswer, Step
from core.request import ThinkRequest
from tests.deploy.chains import script_chain, step
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service


async def first_step_of(service: GracefulService) -> tuple[list[Event], asyncio.Task[None]]:
    """Ask ``service`` a question in a task; once its first step is out, the events so far and the task."""
    seen: list[Event] = []
    first = asyncio.Event()

    async def consume() -> None:
        async for event in service.think(ThinkRequest(question="q", user="u", place="p")):
            seen.append(event)
            if isinstance(event, Step):
                first.set()

    task = asyncio.create_task(consume())
    await first.wait()
    return seen, task


async def test_a_chain_that_ends_within_the_grace_period_finishes(fake_groq: FakeGroq):
    script_chain(fake_groq, steps=2, delay=0.15)
    async with running_service(groq=fake_groq) as services:
        graceful = GracefulService(service=services.service, grace=5.0)
        seen, chain = await first_step_of(graceful)
        report = await graceful.drain()
        await chain
    assert isinstance(seen[-1], FinalAnswer)
    assert (report.finished, report.interrupted) == (1, ())
    assert graceful.running == 0


async def test_a_chain_past_the_grace_period_is_interrupted_with_its_steps(fake_groq: FakeGroq):
    fake_groq.reply(step("first")).hang()
    observed: list[Event] = []
    async with running_service(groq=fake_groq) as services:
        graceful = GracefulService(service=services.service, grace=0.2, observers=[observed.append])
        seen, chain = await first_step_of(graceful)
        started = asyncio.get_running_loop().time()
        report = await graceful.drain()
        waited = asyncio.get_running_loop().time() - started
        await chain
    failed = seen[-1]
    assert isinstance(failed, ChainFailed)
    assert (failed.kind, failed.message) == ("interrupted", INTERRUPTED)
    assert [s.title for s in failed.steps] == ["first"]
    assert report.interrupted == (failed.chain_id,)
    assert 0.2 <= waited < 2.0
    assert observed == seen


async def test_no_new_question_is_taken_while_draining(fake_groq: FakeGroq):
    async with running_service(groq=fake_groq) as services:
        graceful = GracefulService(service=services.service, grace=1.0)
        report = await graceful.drain()
        events = [e async for e in graceful.think(ThinkRequest(question="late", user="u", place="p"))]
    assert (report.finished, report.interrupted) == (0, ())
    assert len(events) == 1
    assert isinstance(events[0], ChainFailed)
    assert (events[0].kind, events[0].message, events[0].retry_after) == ("restarting", RESTARTING, 60.0)
    assert fake_groq.chat_requests == []


async def test_a_user_stop_is_still_a_plain_cancel(fake_groq: FakeGroq):
    fake_groq.reply(step("first")).hang()
    async with running_service(groq=fake_groq) as services:
        graceful = GracefulService(service=services.service, grace=1.0)
        seen, chain = await first_step_of(graceful)
        assert graceful.cancel(seen[-1].chain_id)
        await chain
    assert isinstance(seen[-1], ChainFailed)
    assert seen[-1].kind == "cancelled"
