"""``thinkbot worker``: a reasoning worker process (issue 13, item 3); its click definition is in
:mod:`bot.worker_command`.

It builds the same services as ``thinkbot run`` (:func:`bot.wiring.build_services`), takes chains from the Redis
job queue (:class:`core.state.jobs.JobQueue`) with a :class:`core.worker.Worker`, serves ``/healthz``, ``/readyz``
and ``/metrics`` on ``THINKBOT_HEALTH_PORT`` or ``$PORT``, and drains on SIGTERM: no new chains, running ones
finish for ``THINKBOT_SHUTDOWN_GRACE`` seconds, and any still running then are left to another worker. No chat
platform's SDK is imported: the gateways post what the chains do.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import Callable

import click
from aiohttp import web

from bot.health import HealthServer, serve_health
from bot.logs import configure_logging, secret_values
from bot.run import HOST, _redis_check, run_to_exit
from bot.settings import Settings, load_settings
from bot.wiring import Services, build_services
from core.drain import DrainReport
from core.errors import ConfigError
from core.metrics import Metrics
from core.state.jobs import Job, JobQueue
from core.worker import JobHandler, Worker

__all__ = ["consumer_name", "run", "serve", "service_job_handler"]

log = logging.getLogger(__name__)


def service_job_handler(services: Services) -> tuple[JobHandler, JobHandler]:
    """``(handle, give_up)`` for the worker: run a job's chain with the service, or tell its asker it failed."""
    service = services.service

    async def handle(job: Job) -> None:
        await service.run_job(job)

    async def give_up(job: Job) -> None:
        await service.give_up_job(job)

    return handle, give_up


def consumer_name() -> str:
    """This process's name in the consumer group: host, pid and a random tail (a restarted dyno reuses both)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


async def run(
    settings: Settings,
    *,
    stop: asyncio.Event,
    ready: Callable[[str | None], None] | None = None,
    metrics: Metrics | None = None,
) -> DrainReport:
    """Take and think chains until ``stop`` is set, then drain; ``ready`` hears the health server's URL."""
    if settings.redis_url is None:
        raise ConfigError("thinkbot worker needs REDIS_URL: workers take their chains from Redis.")
    metrics = metrics or Metrics()
    async with build_services(settings, metrics=metrics) as services, contextlib.AsyncExitStack() as stack:
        store = services.store
        queue = JobQueue(redis=store.redis, keys=store.keys, guard=store.guard, claim_after=settings.job_claim_seconds)
        handle, give_up = service_job_handler(services)
        worker = Worker(
            queue=queue,
            handle=handle,
            give_up=give_up,
            consumer=consumer_name(),
            concurrency=settings.worker_concurrency,
            drain_timeout=settings.shutdown_grace,
        )
        health = HealthServer(
            metrics=metrics, checks={"redis": _redis_check(services)}, draining=lambda: worker.draining
        )
        url = None
        if settings.health_port is not None:
            url = await stack.enter_async_context(
                serve_health(health.mount(web.Application()), host=HOST, port=settings.health_port)
            )
        gc.collect()  # start-up's objects live as long as the process: the collector need not walk them again
        gc.freeze()
        working = asyncio.create_task(worker.run(), name="worker")
        log.info("worker %s taking chains, %d at once", worker.consumer, settings.worker_concurrency)
        if ready is not None:
            ready(url)
        stopper = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait((stopper, working), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            worker.stop()
        report = await working  # the drain; raises what stopped the worker, if anything did
        log.info("drained: %d finished, %d interrupted", report.finished, len(report.interrupted))
    return report


async def _serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run(settings, stop=stop)


def serve() -> None:
    """``thinkbot worker``: settings, logs, run, exit (0 stopped, 1 failed, 2 bad settings)."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    configure_logging(level=settings.log_level, fmt=settings.log_format, secrets=secret_values(settings))
    run_to_exit(_serve(settings), command="thinkbot worker")
