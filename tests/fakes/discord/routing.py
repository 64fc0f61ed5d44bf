"""Route specs and the wrapper every REST call goes through: auth, rate limits, errors, recording."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .context import Context
from .errors import ApiError, form_error
from .records import RequestRecord

__all__ = ["API_PREFIX", "Handler", "RouteSpec", "json_response", "serve", "snowflake"]

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
Handler = Callable[[Context, web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """One REST route. ``major`` names the path parameters that split its rate-limit bucket (a channel...)."""

    method: str
    path: str
    handler: Handler
    bucket: str
    major: tuple[str, ...] = ()
    auth: bool = True


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with the exact ``Content-Type: application/json`` Discord sends (discord.py compares it verbatim)."""
    body = json.dumps(data, separators=(",", ":")).encode()
    return web.Response(body=body, status=status, headers=headers, content_type="application/json")


def snowflake(request: web.Request, name: str) -> int:
    """A snowflake path parameter; anything else is Discord's 400 NUMBER_TYPE_COERCE."""
    value = request.match_info[name]
    if not value.isdigit():
        raise form_error((name,), "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
    return int(value)


def _authorized(ctx: Context, request: web.Request) -> bool:
    given = request.headers.get("Authorization", "")
    return secrets.compare_digest(given.encode(), f"Bot {ctx.token}".encode())


def _rate_limited(verdict_headers: dict[str, str], retry_after: float) -> web.Response:
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    return json_response(body, status=429, headers=verdict_headers | {"Via": "1.1 google"})


def _redacted_path(spec: RouteSpec, request: web.Request) -> str:
    """The request path with interaction tokens masked, so records and logs never hold one."""
    values = {k: "<token>" if k == "token" else v for k, v in request.match_info.items()}
    return API_PREFIX + spec.path.format_map(values)


def serve(ctx: Context, spec: RouteSpec) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler for ``spec``."""

    async def handle(request: web.Request) -> web.StreamResponse:
        headers: dict[str, str] = {}
        if spec.auth and not _authorized(ctx, request):
            response: web.StreamResponse = json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        else:
            major = ":".join(request.match_info[name] for name in spec.major)
            verdict = ctx.limiter.hit(spec.bucket, major)
            headers = verdict.headers
            if not verdict.allowed:
                response = _rate_limited(headers, verdict.retry_after)
            else:
                try:
                    response = await spec.handler(ctx, request)
                except ApiError as exc:
                    response = json_response(exc.body(), status=exc.status)
        response.headers.update(headers)
        delay = ctx.reply_delays.get(spec.bucket, 0.0)
        if delay:  # the change happened (and went out on the gateway); the REST answer is slow to come back
            await asyncio.sleep(delay)
        record = RequestRecord(request.method, _redacted_path(spec, request), response.status, spec.bucket)
        ctx.recorder.add(ctx.recorder.requests, record)
        if response.status == 429:
            ctx.recorder.add(ctx.recorder.rate_limited, record)
            log.warning("429 for %s %s", record.method, record.path)
        return response

    return handle
