"""The Web API front door: ``/api/<method>``, token checks, injected failures, 429s (the methods' tiers), and the
call log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.slack.api_errors import ApiError, Failure
from tests.fakes.slack.models import ApiCall, RateLimited
from tests.fakes.slack.params import Call, read_call
from tests.fakes.slack.ratelimit import MethodRateLimiter
from tests.fakes.slack.record import SlackRecord
from tests.fakes.slack.workspace import Workspace

__all__ = ["Handler", "WebApi"]

log = logging.getLogger(__name__)

Handler = Callable[[Call], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class _Route:
    handler: Handler
    token_kind: str


class WebApi:
    """Routes Slack methods to handlers; a handler returns the response fields after ``ok`` or raises ApiError."""

    def __init__(
        self,
        *,
        workspace: Workspace,
        record: SlackRecord,
        latency: float = 0.0,
        reply_delays: dict[str, float] | None = None,
        tiers: MethodRateLimiter | None = None,
    ) -> None:
        self._workspace = workspace
        self._tiers = tiers or MethodRateLimiter({})
        self._record = record
        self._latency = latency
        self.reply_delays = dict(reply_delays or {})
        self._routes: dict[str, _Route] = {}
        self._failures: list[Failure] = []

    def add(self, method: str, handler: Handler, *, auth: str = "bot") -> None:
        """Serve ``method``; ``auth`` is the token it needs: ``bot`` (xoxb-) or ``app`` (xapp-)."""
        self._routes[method] = _Route(handler=handler, token_kind=auth)

    def fail_next(self, method: str, error: str, *, status: int = 200, retry_after: int | None = None,
                  times: int = 1, **extra: Any) -> None:  # fmt: skip
        """Make the next ``times`` calls of ``method`` fail with ``error`` (status 429 sends ``Retry-After``)."""
        self._failures.append(Failure(method, error, status, retry_after, times, extra))

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            route = self._routes.get(method)
            if route is None:
                raise ApiError("unknown_method", status=404)
            call = await read_call(request, method)
            params = call.params
            self._authorize(call.token, route.token_kind)
            retry_after = self._tiers.take(method)
            if retry_after is not None:
                raise ApiError("ratelimited", status=429, retry_after=retry_after)
            if self._latency:
                await asyncio.sleep(self._latency)
            self._injected(method)
            body = await route.handler(call)
        except ApiError as exc:
            return self._refuse(method, params, exc)
        self._record.append(ApiCall(method=method, params=params, ok=True))
        if self.reply_delays.get(method):  # done and recorded; the answer is slow to come back
            await asyncio.sleep(self.reply_delays[method])
        log.debug("slack fake %s ok", method)
        return web.json_response({"ok": True, **body})

    def _authorize(self, token: str | None, kind: str) -> None:
        if not token:
            raise ApiError("not_authed")
        expected = self._workspace.bot_token if kind == "bot" else self._workspace.app_token
        if token == expected:
            return
        if token in (self._workspace.bot_token, self._workspace.app_token):
            raise ApiError("not_allowed_token_type")
        raise ApiError("invalid_auth")

    def _injected(self, method: str) -> None:
        for failure in self._failures:
            if failure.method == method and failure.times > 0:
                failure.times -= 1
                raise failure.to_error()

    def _refuse(self, method: str, params: dict[str, Any], exc: ApiError) -> web.Response:
        headers = {}
        if exc.status == 429:
            retry_after = exc.retry_after if exc.retry_after is not None else 1
            headers["Retry-After"] = str(retry_after)
            channel = str(params.get("channel", ""))
            self._record.append(RateLimited(method=method, channel=channel, retry_after=retry_after))
        self._record.append(ApiCall(method=method, params=params, ok=False, error=exc.error, status=exc.status))
        log.debug("slack fake %s refused: %s (%d)", method, exc.error, exc.status)
        body = {"ok": False, "error": exc.error, **exc.extra}
        return web.json_response(body, status=exc.status, headers=headers)
