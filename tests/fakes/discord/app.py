"""The aiohttp application: REST under /api/v10, the gateway at /gateway/ (and /gateway/resume/ for RESUMEs)."""

from __future__ import annotations

from functools import partial

from aiohttp import web

from .bodies import REQUEST_LIMIT
from .context import Context
from .gateway import serve_gateway
from .records import RequestRecord
from .routes_core import CORE_ROUTES
from .routes_interactions import INTERACTION_ROUTES
from .routes_messages import MESSAGE_ROUTES
from .routes_threads import THREAD_ROUTES
from .routing import API_PREFIX, json_response, serve

__all__ = ["build_app"]


def build_app(ctx: Context) -> web.Application:
    app = web.Application(client_max_size=REQUEST_LIMIT + 1024 * 1024)  # our own checks answer like Discord
    for spec in (*CORE_ROUTES, *MESSAGE_ROUTES, *THREAD_ROUTES, *INTERACTION_ROUTES):
        app.router.add_route(spec.method, API_PREFIX + spec.path, serve(ctx, spec))
    app.router.add_get("/gateway/", partial(serve_gateway, ctx))
    app.router.add_get("/gateway/resume/", partial(serve_gateway, ctx))
    app.router.add_route("*", "/{tail:.*}", partial(_not_found, ctx))
    return app


async def _not_found(ctx: Context, request: web.Request) -> web.Response:
    # Long segments may be interaction tokens: mask them, as the routed requests do.
    path = "/".join("<token>" if len(part) > 40 else part for part in request.path.split("/"))
    ctx.recorder.add(ctx.recorder.requests, RequestRecord(request.method, path, 404, None))
    return json_response({"message": "404: Not Found", "code": 0}, status=404)
