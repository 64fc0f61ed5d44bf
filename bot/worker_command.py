"""``thinkbot worker``: the click definition; the worker itself (:mod:`bot.worker_run`) loads when it runs."""

from __future__ import annotations

import click

__all__ = ["worker_command"]


@click.command("worker")
def worker_command() -> None:
    """Think chains that gateways (THINKBOT_ROLE=gateway) put on Redis; needs REDIS_URL.

    Runs THINKBOT_WORKER_CONCURRENCY chains at once; a chain whose worker died is taken over by another after
    THINKBOT_JOB_CLAIM_SECONDS. Serves /healthz, /readyz and /metrics on THINKBOT_HEALTH_PORT or $PORT; on SIGTERM,
    takes no new chains and lets running ones finish for THINKBOT_SHUTDOWN_GRACE seconds. Exit codes: 0 stopped,
    1 failed, 2 bad settings.
    """
    from bot.worker_run import serve

    serve()
