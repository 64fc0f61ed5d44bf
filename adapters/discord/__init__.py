"""Discord adapter: turns discord.py events into core requests and renders core events back.

Build it in ``bot/`` (``thinkbot discord``)::

    ctx = AdapterContext(service=graceful_service, options=options, toggles=toggles)
    apply_endpoints(api_base=..., gateway_url=...)      # only for a Discord-compatible server or a fake
    async with ThinkClient(ctx=ctx) as client:
        await client.start(token)

discord.py loads lazily, as the LLM SDKs do in :mod:`core.llm`: importing this package or its data modules
(``options``, ``addresses``, which the settings use) does not import it; a name below that needs it does
(``from adapters.discord import ThinkClient``), so only a process that runs Discord pays for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from adapters.discord.addresses import DISCORD_ENDPOINTS, DiscordEndpoints
from adapters.discord.options import DiscordOptions

if TYPE_CHECKING:
    from adapters.discord.client import ThinkClient, client_intents
    from adapters.discord.context import AdapterContext
    from adapters.discord.endpoints import apply_endpoints, current_endpoints
    from adapters.discord.invite import INVITE_SCOPES, bot_permissions, invite_url

__all__ = [
    "DISCORD_ENDPOINTS",
    "INVITE_SCOPES",
    "AdapterContext",
    "DiscordEndpoints",
    "DiscordOptions",
    "ThinkClient",
    "apply_endpoints",
    "bot_permissions",
    "client_intents",
    "current_endpoints",
    "invite_url",
]

_LAZY = {
    "ThinkClient": "adapters.discord.client",
    "client_intents": "adapters.discord.client",
    "AdapterContext": "adapters.discord.context",
    "apply_endpoints": "adapters.discord.endpoints",
    "current_endpoints": "adapters.discord.endpoints",
    "INVITE_SCOPES": "adapters.discord.invite",
    "bot_permissions": "adapters.discord.invite",
    "invite_url": "adapters.discord.invite",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
