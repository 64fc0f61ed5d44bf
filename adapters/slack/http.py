"""HTTP mode's one route, ``POST /slack/events``: the signature is checked on the raw bytes before anything reads
them, so an unsigned, forged or stale request gets 401 whatever its body holds (bolt would parse the body first
and answer a forged non-JSON body with 500 and a traceback). Only then does bolt dispatch it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

__all__ = ["events_app"]

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.Response]]


def events_app(app: AsyncApp, *, signing_secret: str, path: str) -> web.Application:
    """An aiohttp application serving ``app`` at ``path``, behind a signature check on the raw body."""
    web_app = web.Application()
    web_app.router.add_post(path, _handler(app, SignatureVerifier(signing_secret)))
    return web_app


def _handler(app: AsyncApp, verifier: SignatureVerifier) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not (timestamp and signature and verifier.is_valid(body, timestamp, signature)):
            log.info("slack: refused a request to %s without a valid signature (%d bytes)", request.path, len(body))
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            text = body.decode("utf-8")
            bolt_request = AsyncBoltRequest(body=text, query=request.query_string, headers=dict(request.headers))
        except ValueError:  # signed, so from Slack, yet unreadable: say so without a traceback or the body
            log.warning("slack: a signed request to %s could not be read (%d bytes)", request.path, len(body))
            return web.json_response({"error": "unreadable body"}, status=400)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return handle
