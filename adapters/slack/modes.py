"""How Slack reaches the bot: Socket Mode (an outbound websocket, no public URL) or HTTP mode (Slack posts signed
requests to ``/slack/events``; every signature and timestamp is checked before the body is read, and forged or
stale requests get 401).
Both serve ``GET /health``: 200 with a small JSON body while able to take events, 503 otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from adapters.slack.app import SlackBot

__all__ = ["EVENTS_PATH", "HEALTH_PATH", "Check", "Served", "serve_http", "serve_socket_mode"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/health"


Check = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Served:
    """``url`` is the local web server (``None`` when Socket Mode runs without a health port); ``ready`` says
    whether Slack can reach the bot now (the websocket is up; always in HTTP mode)."""

    mode: str
    url: str | None
    ready: Check


@asynccontextmanager
async def serve_socket_mode(bot: SlackBot, *, app_token: str, host: str, port: int | None) -> AsyncIterator[Served]:
    """Connect over Socket Mode (reconnecting as Slack asks) and, with a ``port``, serve the health endpoint."""
    handler = AsyncSocketModeHandler(bot.app, app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("slack: connected over Socket Mode")

    async def connected() -> bool:
        return bool(await handler.client.is_connected())

    runner: web.AppRunner | None = None
    try:
        url = None
        if port is not None:
            health = web.Application()
            health.router.add_get(HEALTH_PATH, _health("socket", bot, connected))
            runner, url = await _start(health, host, port)
        yield Served(mode="socket", url=url, ready=connected)
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        if runner is not None:
            await runner.cleanup()


@asynccontextmanager
async def serve_http(bot: SlackBot, *, host: str, port: int) -> AsyncIterator[Served]:
    """Serve bolt's signed-request endpoint at ``/slack/events`` and the health endpoint on ``host:port``."""
    app = bot.web_app(path=EVENTS_PATH)

    async def always() -> bool:
        return True

    app.router.add_get(HEALTH_PATH, _health("http", bot, always))
    runner, url = await _start(app, host, port)
    log.info("slack: HTTP mode listening at %s%s", url, EVENTS_PATH)
    try:
        yield Served(mode="http", url=url, ready=always)
    finally:
        await runner.cleanup()


def _health(mode: str, bot: SlackBot, ready: Check) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def health(request: web.Request) -> web.Response:
        ok = await ready()
        body = {"status": "ok" if ok else "unavailable", "mode": mode, "running": bot.running}
        return web.json_response(body, status=200 if ok else 503)

    return health


async def _start(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound = runner.addresses[0][1]
    return runner, f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{bound}"  # noqa: S104
