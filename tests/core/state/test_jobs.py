"""The job queue reasoning workers take chains from (core/state/jobs.py), against a real redis-server and the
embedded store: each job goes to one worker, a dead worker's job is claimed by another, a live one's never."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from core.state import Store
from core.state.jobs import GROUP, JobQueue

CLAIM = 0.5


def queue(parts: dict[str, Any], **tunables: Any) -> JobQueue:
    return JobQueue(**parts, claim_after=CLAIM, **tunables)


async def test_a_job_is_taken_once_and_gone_once_acked(parts: dict[str, Any], store: Store) -> None:
    jobs = queue(parts)
    entry = await jobs.enqueue({"question": "2+2?", "n": 1})
    job = await jobs.take("w1", block=0.1)
    assert job is not None
    assert (job.entry_id, job.payload, job.deliveries) == (entry, {"question": "2+2?", "n": 1}, 1)
    assert await jobs.pending() == 1
    assert await jobs.take("w1", block=0.05) is None
    await jobs.ack(job)
    assert await jobs.pending() == 0
    assert await store.redis.xlen(jobs.stream) == 0


async def test_a_job_enqueued_before_any_worker_came_is_taken(parts: dict[str, Any]) -> None:
    await queue(parts).enqueue({"n": 1})
    job = await queue(parts).take("w1", block=0.1)  # another process: it creates nothing, the group exists
    assert job is not None
    assert job.payload == {"n": 1}


async def test_a_blocked_take_gets_a_job_enqueued_while_it_waits(parts: dict[str, Any]) -> None:
    jobs = queue(parts)
    waiting = asyncio.create_task(jobs.take("w1", block=1.0))
    await asyncio.sleep(0.1)
    await queue(parts).enqueue({"n": 7})
    job = await asyncio.wait_for(waiting, 2)
    assert job is not None
    assert job.payload == {"n": 7}


async def test_two_consumers_never_get_the_same_job(parts: dict[str, Any]) -> None:
    entries = {await queue(parts).enqueue({"n": n}) for n in range(20)}
    first, second = queue(parts), queue(parts)

    async def drain(jobs: JobQueue, consumer: str) -> list[str]:
        got = []
        while (job := await jobs.take(consumer, block=0.05)) is not None:
            got.append(job.entry_id)
            await asyncio.sleep(0)
        return got

    a, b = await asyncio.gather(drain(first, "a"), drain(second, "b"))
    assert not set(a) & set(b)
    assert sorted(a + b) == sorted(entries)


async def test_a_job_left_by_a_silent_consumer_is_claimed_by_another(parts: dict[str, Any]) -> None:
    dead, alive = queue(parts), queue(parts)
    entry = await dead.enqueue({"n": 1})
    taken = await dead.take("dead", block=0.1)
    assert taken is not None
    assert await alive.take("alive", block=0.05) is None  # not idle long enough yet
    await asyncio.sleep(CLAIM + 0.2)
    claimed = await alive.take("alive", block=0.05)
    assert claimed is not None
    assert (claimed.entry_id, claimed.payload, claimed.deliveries) == (entry, {"n": 1}, 2)
    assert not await dead.heartbeat(taken, "dead")  # the dead one, were it to wake, learns it lost the job
    assert await alive.heartbeat(claimed, "alive")
    await alive.ack(claimed)
    assert await alive.pending() == 0


async def test_a_heartbeating_consumers_job_is_never_claimed(parts: dict[str, Any]) -> None:
    runner, other = queue(parts), queue(parts)
    await runner.enqueue({"n": 1})
    job = await runner.take("runner", block=0.1)
    assert job is not None
    for _ in range(8):  # 1.2 s: more than twice claim_after
        await asyncio.sleep(CLAIM / 3)
        assert await runner.heartbeat(job, "runner")
        assert await other.take("other", block=0.01) is None
    await runner.ack(job)


async def test_unreadable_entries_are_dropped_with_a_line_naming_only_their_id(
    parts: dict[str, Any], store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = queue(parts)
    await jobs.enqueue({"n": 0})  # creates the group
    first = await jobs.take("w", block=0.1)
    assert first is not None
    await jobs.ack(first)
    bad = [
        await store.redis.xadd(jobs.stream, fields)
        for fields in ({"job": "secret question {"}, {"other": "x"}, {"job": "[1, 2]"})
    ]
    good = await jobs.enqueue({"n": 1})
    with caplog.at_level(logging.WARNING, logger="core.state.jobs"):
        job = await jobs.take("w", block=0.1)
    assert job is not None
    assert (job.entry_id, job.payload) == (good, {"n": 1})
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    for entry, line in zip(bad, lines, strict=True):
        assert entry.decode() in line
        assert "secret" not in line
    await jobs.ack(job)
    assert await jobs.pending() == 0
    assert await store.redis.xlen(jobs.stream) == 0


async def test_a_leaving_consumer_is_forgotten_unless_it_holds_a_job(parts: dict[str, Any], store: Store) -> None:
    jobs = queue(parts)
    await jobs.enqueue({"n": 1})
    job = await jobs.take("w", block=0.1)
    assert job is not None
    assert not await jobs.retire("w")  # holds a job: kept, so the job can still be claimed
    await jobs.ack(job)
    assert await jobs.retire("w")
    consumers = await store.redis.xinfo_consumers(jobs.stream, GROUP)
    assert consumers == []
