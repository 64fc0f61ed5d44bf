"""How Slack reaches the bot: Socket Mode (an outbound websocket, no public URL) or HTTP mode (Slack posts signed
requests to ``/slack/events``, served by :meth:`SlackBot.web_app`; every signature and timestamp is checked before
the body is read, and forged or stale requests get 401). ``thinkbot run`` serves either one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from adapters.slack.app import SlackBot

__all__ = ["EVENTS_PATH", "Check", "socket_mode"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"

Check = Callable[[], Awaitable[bool]]


@asynccontextmanager
async def socket_mode(bot: SlackBot, *, app_token: str) -> AsyncIterator[Check]:
    """Connect over Socket Mode for the block (reconnecting as Slack asks); yields whether the socket is open."""
    handler = AsyncSocketModeHandler(bot.app, app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("slack: connected over Socket Mode")

    async def connected() -> bool:
        return bool(await handler.client.is_connected())

    try:
        yield connected
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
