"""Discord adapter: turns discord.py events into core requests and renders core events back.

Build it in ``bot/`` (``thinkbot discord``)::

    ctx = AdapterContext(service=graceful_service, options=options, toggles=toggles)
    apply_endpoints(api_base=..., gateway_url=...)      # only for a Discord-compatible server or a fake
    async with ThinkClient(ctx=ctx) as client:
        await client.start(token)
"""

from adapters.discord.client import ThinkClient, client_intents
from adapters.discord.context import AdapterContext
from adapters.discord.endpoints import DISCORD_ENDPOINTS, DiscordEndpoints, apply_endpoints, current_endpoints
from adapters.discord.invite import INVITE_SCOPES, bot_permissions, invite_url
from adapters.discord.options import DiscordOptions

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
