"""The operations endpoints: ``/healthz`` (the event loop answers), ``/readyz`` (every check passes) and
``/metrics`` (Prometheus text), on ``$PORT`` or ``THINKBOT_HEALTH_PORT``.

Readiness checks are small async callables returning ``True`` when their part can take work: a gateway connected,
a socket open, Redis answering a PING. ``/readyz`` answers 503 naming the failing ones, and 503 while draining.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from aiohttp import web

from core.metrics import CONTENT_TYPE, Metrics

__all__ = ["Check", "HealthServer", "serve_health"]

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]

CHECK_TIMEOUT = 2.0


class HealthServer:
    """The three endpoints, mounted on an aiohttp app; ``checks`` may grow after start (an adapter connecting)."""

    def __init__(
        self, *, metrics: Metrics, checks: Mapping[str, Check] | None = None, draining: Callable[[], bool] | None = None
    ) -> None:
        self.metrics = metrics
        self.checks: dict[str, Check] = dict(checks or {})
        self._draining = draining or (lambda: False)

    def mount(self, app: web.Application) -> web.Application:
        """Add the endpoints to ``app`` (a new one, or Slack's HTTP-mode app sharing ``$PORT``); returns it."""
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        return app

    async def results(self) -> dict[str, bool]:
        names = list(self.checks)
        outcomes = await asyncio.gather(*(_run(self.checks[name]) for name in names))
        return dict(zip(names, outcomes, strict=True))

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, request: web.Request) -> web.Response:
        results = await self.results()
        draining = self._draining()
        ready = all(results.values()) and not draining
        body = {"status": "ready" if ready else "unavailable", "checks": results, "draining": draining}
        return web.json_response(body, status=200 if ready else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=self.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})


async def _run(check: Check) -> bool:
    try:
        return bool(await asyncio.wait_for(check(), CHECK_TIMEOUT))
    except Exception:  # a failing check means "not ready", whatever the reason
        log.warning("readiness check failed", exc_info=True)
        return False


@asynccontextmanager
async def serve_health(app: web.Application, *, host: str, port: int) -> AsyncIterator[str]:
    """Serve ``app`` on ``host:port`` (0: any free port) inside the block; yields its base URL."""
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound = runner.addresses[0][1]
        local = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        url = f"http://{local}:{bound}"
        log.info("serving at %s (/healthz, /readyz, /metrics)", url)
        yield url
    finally:
        await runner.cleanup()
