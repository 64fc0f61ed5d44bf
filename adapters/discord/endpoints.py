"""Point discord.py at a Discord-compatible server (a fake in tests, Spacebar, a proxy).

discord.py 2.x has no per-client setting for either address, so :func:`apply_endpoints` sets the two
class attributes it reads, which affects every client in the process:

* ``discord.http.Route.BASE``: the REST base. Every bot request and every interaction callback and webhook
  follow-up (``discord.webhook.async_`` builds its URLs from the same ``Route``) is sent below it.
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``: the gateway a plain ``Client`` connects to first, and
  the one every client falls back to after the gateway invalidates its session. Resumes go to the
  ``resume_gateway_url`` the gateway sent in READY, and ``AutoShardedClient`` asks ``GET /gateway/bot`` for its
  first address, so a compatible server is followed there without help.

Apply the endpoints before the client logs in; the previous pair is returned so a test can restore it.
"""

from __future__ import annotations

import re

import discord.http
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.addresses import DISCORD_ENDPOINTS, DiscordEndpoints

__all__ = ["DISCORD_ENDPOINTS", "DiscordEndpoints", "apply_endpoints", "current_endpoints"]

_VERSIONED = re.compile(r"/v\d+$")


def current_endpoints() -> DiscordEndpoints:
    """The endpoints discord.py uses right now."""
    return DiscordEndpoints(api_base=Route.BASE, gateway_url=str(DiscordWebSocket.DEFAULT_GATEWAY))


def apply_endpoints(*, api_base: str, gateway_url: str) -> DiscordEndpoints:
    """Make discord.py send REST calls below ``api_base`` and open its gateway at ``gateway_url``.

    ``api_base`` is an http(s) URL; when its path does not end in a version (``/api``), discord.py's own
    API version is appended (``/api/v10``). ``gateway_url`` is a ws(s) URL. Raises ``ValueError`` for any
    other scheme. Returns the endpoints in force before the call.
    """
    base = yarl.URL(api_base.rstrip("/"))
    gateway = yarl.URL(gateway_url)
    if base.scheme not in ("http", "https") or not base.host:
        raise ValueError("the Discord API base must be an http(s) URL with a host")
    if gateway.scheme not in ("ws", "wss") or not gateway.host:
        raise ValueError("the Discord gateway URL must be a ws(s) URL with a host")
    if not _VERSIONED.search(base.path):
        base = base / f"v{discord.http.INTERNAL_API_VERSION}"
    previous = current_endpoints()
    Route.BASE = str(base)
    DiscordWebSocket.DEFAULT_GATEWAY = gateway
    return previous
