"""Reasoning workers (core/worker.py) against a real redis-server: a worker killed mid-job (SIGKILL) leaves it to
another, which runs it to the end; a job whose workers keep dying is given up; failures and drains."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core.state import Store
from core.state.jobs import Job, JobQueue
from core.worker import Worker
from tests.core.state.conftest import _drop, _open

ROOT = Path(__file__).resolve().parents[2]
CLAIM = 0.5
PATIENCE = 10.0


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[Store]:
    opened = await _open(redis_url)
    yield opened
    await _drop(opened)


def queue(store: Store) -> JobQueue:
    return JobQueue(redis=store.redis, keys=store.keys, guard=store.guard, claim_after=CLAIM)


async def never(job: Job) -> None:
    raise AssertionError(f"not expected: {job.entry_id}")


@contextlib.asynccontextmanager
async def running(worker: Worker) -> AsyncIterator[Worker]:
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        worker.stop()
        await asyncio.wait_for(task, PATIENCE)


@contextlib.asynccontextmanager
async def commands(store: Store, name: str) -> AsyncIterator[list[str]]:
    """Every command the server runs on key ``name`` inside the block, from any client (MONITOR)."""
    seen: list[str] = []
    monitor_client = store.redis.client()
    async with monitor_client.monitor() as monitor:

        async def listen() -> None:
            async for command in monitor.listen():
                if name in command["command"]:
                    seen.append(command["command"])

        listener = asyncio.create_task(listen())
        await asyncio.sleep(0.05)
        try:
            yield seen
        finally:
            await asyncio.sleep(0.1)
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
    await monitor_client.aclose()


async def test_a_job_of_a_killed_worker_is_taken_over_and_finished_once(redis_url: str, store: Store) -> None:
    jobs = queue(store)
    runs = store.keys.key("test", "runs")
    finished: list[Job] = []
    done = asyncio.Event()

    async def finish(job: Job) -> None:
        await store.redis.incr(runs)
        finished.append(job)
        done.set()

    async with commands(store, jobs.stream) as seen:
        entry = await jobs.enqueue({"question": "2+2?"})
        doomed = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "tests.core.worker_peer", redis_url, store.keys.prefix, "doomed", str(CLAIM)),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert doomed.stdout is not None
            started = json.loads(await asyncio.wait_for(doomed.stdout.readline(), PATIENCE))
            assert started == {"started": entry, "deliveries": 1}
            heir = Worker(queue=queue(store), handle=finish, give_up=never, consumer="heir", block=0.1)
            async with running(heir):
                await asyncio.sleep(3 * CLAIM)  # the doomed worker heartbeats: its job stays with it
                assert not finished
                doomed.kill()
                await doomed.wait()
                await asyncio.wait_for(done.wait(), PATIENCE)  # leaving the block drains the heir: it acks
        finally:
            if doomed.returncode is None:
                doomed.kill()
                await doomed.wait()
    assert [(job.entry_id, job.payload, job.deliveries) for job in finished] == [(entry, {"question": "2+2?"}, 2)]
    assert int(await store.redis.get(runs)) == 2  # the doomed worker's run, then the heir's
    acks = [command for command in seen if command.startswith("XACK ")]
    assert len(acks) == 1
    assert entry in acks[0]
    assert await jobs.pending() == 0
    assert await store.redis.xlen(jobs.stream) == 0


async def test_a_job_delivered_too_often_is_given_up_and_acked(store: Store) -> None:
    jobs = queue(store)
    entry = await jobs.enqueue({"n": 1})
    first = await jobs.take("crashed", block=0.1)  # its worker dies without a word
    assert first is not None
    given_up: list[Job] = []
    done = asyncio.Event()

    async def give_up(job: Job) -> None:
        given_up.append(job)
        done.set()

    worker = Worker(queue=queue(store), handle=never, give_up=give_up, consumer="w", max_deliveries=1, block=0.1)
    async with running(worker):
        await asyncio.wait_for(done.wait(), PATIENCE)
    assert [(job.entry_id, job.deliveries) for job in given_up] == [(entry, 2)]
    assert await jobs.pending() == 0


async def test_a_failing_handler_is_logged_by_class_and_its_job_acked(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = queue(store)
    entry = await jobs.enqueue({"question": "secret plans"})

    called = asyncio.Event()

    async def fail(job: Job) -> None:
        called.set()
        raise ValueError(f"could not answer {job.payload['question']}")

    worker = Worker(queue=queue(store), handle=fail, give_up=never, consumer="w", block=0.1)
    with caplog.at_level(logging.INFO, logger="core.worker"):
        async with running(worker):
            await asyncio.wait_for(called.wait(), PATIENCE)
    assert await jobs.pending() == 0
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert entry in text
    assert "ValueError" in text
    assert "secret" not in text


async def test_jobs_run_at_most_concurrency_at_once(store: Store) -> None:
    jobs = queue(store)
    for n in range(6):
        await jobs.enqueue({"n": n})
    now = most = count = 0
    done = asyncio.Event()

    async def handle(job: Job) -> None:
        nonlocal now, most, count
        now += 1
        most = max(most, now)
        await asyncio.sleep(0.05)
        now -= 1
        count += 1
        if count == 6:
            done.set()

    worker = Worker(queue=queue(store), handle=handle, give_up=never, consumer="w", concurrency=2, block=0.05)
    async with running(worker):
        await asyncio.wait_for(done.wait(), PATIENCE)
    assert most == 2
    assert await jobs.pending() == 0


async def test_stop_lets_running_jobs_finish_and_leaves_late_ones_to_other_workers(store: Store) -> None:
    jobs = queue(store)
    quick, slow = await jobs.enqueue({"wait": 0.2}), await jobs.enqueue({"wait": 60})
    started: list[str] = []
    ended: list[str] = []
    both = asyncio.Event()

    async def handle(job: Job) -> None:
        started.append(job.entry_id)
        if len(started) == 2:
            both.set()
        await asyncio.sleep(job.payload["wait"])
        ended.append(job.entry_id)

    worker = Worker(queue=queue(store), handle=handle, give_up=never, consumer="w", block=0.05, drain_timeout=0.5)
    task = asyncio.create_task(worker.run())
    await asyncio.wait_for(both.wait(), PATIENCE)
    worker.stop()
    assert worker.draining
    await asyncio.wait_for(task, PATIENCE)
    assert ended == [quick]
    pending: list[dict[str, Any]] = await store.redis.xpending_range(jobs.stream, "workers", "-", "+", 10)
    assert [row["message_id"].decode() for row in pending] == [slow]  # claimed by another worker later
