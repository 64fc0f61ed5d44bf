"""A reasoning worker: takes jobs from a :class:`~core.state.jobs.JobQueue` and runs each with a handler.

    worker = Worker(queue=queue, handle=run_job, give_up=give_up_job, consumer="host-1234", concurrency=8)
    task = asyncio.create_task(worker.run())
    ...
    worker.stop(); await task          # stops taking, lets running jobs finish for drain_timeout seconds

Up to ``concurrency`` jobs run at once, each as ``await handle(job)`` in its own task beside a heartbeat that tells
the group every ``claim_after / 3`` seconds that this worker still runs it; so only a dead worker's jobs are
claimed by another. A job is acked when its handler returns or raises (a failure is logged by exception class
only: a payload holds users' questions). A job delivered more than ``max_deliveries`` times (its workers kept
dying with it) is not run again: ``await give_up(job)`` is, then it is acked. A job another worker claimed while
this one still ran it (this process stalled past ``claim_after``) is stopped here and left to that worker. Jobs
still running when the drain times out are cancelled and not acked: another worker claims them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from core.drain import DrainReport
from core.state.jobs import Job, JobQueue

__all__ = ["JobHandler", "Worker"]

log = logging.getLogger(__name__)

JobHandler = Callable[[Job], Awaitable[object]]


class Worker:
    """See the module docstring. ``block``: the longest one wait for a new job (and so for :meth:`stop` to be
    noticed while idle); ``drain_timeout``: how long :meth:`run` waits for running jobs once stopped."""

    def __init__(
        self,
        *,
        queue: JobQueue,
        handle: JobHandler,
        give_up: JobHandler,
        consumer: str,
        concurrency: int = 8,
        max_deliveries: int = 3,
        block: float = 1.0,
        drain_timeout: float = 25.0,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.consumer = consumer
        self._queue = queue
        self._handle = handle
        self._give_up = give_up
        self._concurrency = concurrency
        self._max_deliveries = max_deliveries
        self._block = block
        self._drain_timeout = drain_timeout
        self._beat_every = queue.claim_after / 3
        self._stopping = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._lost: set[str] = set()
        self._slot_freed = asyncio.Event()

    @property
    def draining(self) -> bool:
        return self._stopping.is_set()

    @property
    def running(self) -> int:
        """Jobs running now."""
        return len(self._running)

    def stop(self) -> None:
        """Take no more jobs; :meth:`run` returns once the running ones finish (or the drain times out)."""
        self._stopping.set()

    async def run(self) -> DrainReport:
        """Take and run jobs until :meth:`stop`, then drain: the jobs that finished then, and those interrupted
        (their entry ids)."""
        try:
            while await self._free_slot():
                job = await self._queue.take(self.consumer, block=self._block)
                if job is not None:
                    task = asyncio.create_task(self._run_one(job), name=job.entry_id)
                    self._running.add(task)
                    task.add_done_callback(self._finished)
        finally:
            report = await self._drain()
        return report

    async def _free_slot(self) -> bool:
        """Wait until fewer than ``concurrency`` jobs run; ``False`` once stopping."""
        while len(self._running) >= self._concurrency and not self._stopping.is_set():
            self._slot_freed.clear()
            stopping = asyncio.create_task(self._stopping.wait())
            freed = asyncio.create_task(self._slot_freed.wait())
            await asyncio.wait((stopping, freed), return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            freed.cancel()
        return not self._stopping.is_set()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._slot_freed.set()

    async def _drain(self) -> DrainReport:
        running = set(self._running)
        done: set[asyncio.Task[None]] = set()
        late: set[asyncio.Task[None]] = set()
        if running:
            log.info("worker %s stopping: waiting for %d running jobs", self.consumer, len(running))
            done, late = await asyncio.wait(running, timeout=self._drain_timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            if late:
                log.warning("worker %s left %d jobs unfinished; another worker takes them", self.consumer, len(late))
        await self._queue.retire(self.consumer)
        return DrainReport(finished=len(done), interrupted=tuple(sorted(task.get_name() for task in late)))

    async def _run_one(self, job: Job) -> None:
        if job.deliveries > self._max_deliveries:
            log.warning("job %s delivered %d times; giving up on it", job.entry_id, job.deliveries)
            await self._call(self._give_up, job, "giving up on")
            await self._queue.ack(job)
            return
        current = asyncio.current_task()
        assert current is not None
        beat = asyncio.create_task(self._heartbeat(job, current), name=f"heartbeat-{job.entry_id}")
        try:
            await self._call(self._handle, job, "running")
        except asyncio.CancelledError:
            if job.entry_id not in self._lost:
                raise
            current.uncancel()
            log.warning("job %s was claimed by another worker; stopped here", job.entry_id)
            return
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
            self._lost.discard(job.entry_id)
        await self._queue.ack(job)

    async def _call(self, handler: JobHandler, job: Job, doing: str) -> None:
        try:
            await handler(job)
        except Exception as exc:  # noqa: BLE001 - any failure of one job: logged by class (never its text: users')
            log.error("%s job %s failed: %s", doing.capitalize(), job.entry_id, type(exc).__name__)

    async def _heartbeat(self, job: Job, runner: asyncio.Task[None]) -> None:
        while True:
            await asyncio.sleep(self._beat_every)
            if not await self._queue.heartbeat(job, self.consumer):
                self._lost.add(job.entry_id)
                runner.cancel()
                return
