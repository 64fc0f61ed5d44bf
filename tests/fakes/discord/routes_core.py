"""REST routes for who the bot is, where the gateway is, guilds, channels, DMs and application commands."""

from __future__ import annotations

from aiohttp import web

from .bodies import read_json
from .context import Context
from .errors import unknown
from .payloads import application_json, channel_json, guild_json, member_json, user_json
from .routing import RouteSpec, json_response, snowflake

__all__ = ["CORE_ROUTES"]


async def get_me(ctx: Context, request: web.Request) -> web.Response:
    bot = user_json(ctx.world.bot) | {"verified": True, "mfa_enabled": False, "flags": 0}
    return json_response(bot)


async def get_application(ctx: Context, request: web.Request) -> web.Response:
    return json_response(application_json(ctx.world, ctx.application_id))


async def get_gateway_bot(ctx: Context, request: web.Request) -> web.Response:
    """Discord's Get Gateway Bot: the URL, the recommended shard count and the session start limit."""
    sharding = ctx.sharding
    limit = {
        "total": sharding.total,
        "remaining": sharding.remaining,
        "reset_after": 86_400_000,
        "max_concurrency": sharding.max_concurrency,
    }
    return json_response({"url": ctx.gateway_url, "shards": sharding.recommended, "session_start_limit": limit})


async def get_gateway(ctx: Context, request: web.Request) -> web.Response:
    return json_response({"url": ctx.gateway_url})


async def get_guild(ctx: Context, request: web.Request) -> web.Response:
    return json_response(guild_json(ctx.world.guild(snowflake(request, "guild_id"))))


async def get_member(ctx: Context, request: web.Request) -> web.Response:
    guild = ctx.world.guild(snowflake(request, "guild_id"))
    user_id = snowflake(request, "user_id")
    if user_id not in guild.members:
        raise unknown("member")
    return json_response(member_json(ctx.world, guild, user_id))


async def get_channel(ctx: Context, request: web.Request) -> web.Response:
    channel = ctx.world.channel(snowflake(request, "channel_id"))
    return json_response(channel_json(ctx.world, channel))


async def open_dm(ctx: Context, request: web.Request) -> web.Response:
    body = await read_json(request)
    user = ctx.world.user(int(body.get("recipient_id", 0)))
    return json_response(channel_json(ctx.world, ctx.world.dm_with(user.id)))


def _scope(ctx: Context, request: web.Request) -> int | None:
    if snowflake(request, "application_id") != ctx.application_id:
        raise unknown("command")
    return ctx.world.guild(snowflake(request, "guild_id")).id if "guild_id" in request.match_info else None


async def put_commands(ctx: Context, request: web.Request) -> web.Response:
    scope = _scope(ctx, request)
    return json_response(ctx.commands.overwrite(await read_json(request), scope))


async def get_commands(ctx: Context, request: web.Request) -> web.Response:
    return json_response(ctx.commands.listing(_scope(ctx, request)))


_APP = "/applications/{application_id}"
CORE_ROUTES = (
    RouteSpec("GET", "/users/@me", get_me, "users.me"),
    RouteSpec("POST", "/users/@me/channels", open_dm, "users.dm"),
    RouteSpec("GET", "/oauth2/applications/@me", get_application, "oauth2.application"),
    RouteSpec("GET", "/gateway/bot", get_gateway_bot, "gateway"),
    RouteSpec("GET", "/gateway", get_gateway, "gateway", auth=False),
    RouteSpec("GET", "/guilds/{guild_id}", get_guild, "guilds.get", ("guild_id",)),
    RouteSpec("GET", "/guilds/{guild_id}/members/{user_id}", get_member, "guilds.members", ("guild_id",)),
    RouteSpec("GET", "/channels/{channel_id}", get_channel, "channels.get", ("channel_id",)),
    RouteSpec("PUT", _APP + "/commands", put_commands, "commands.put"),
    RouteSpec("GET", _APP + "/commands", get_commands, "commands.get"),
    RouteSpec("PUT", _APP + "/guilds/{guild_id}/commands", put_commands, "commands.put", ("guild_id",)),
    RouteSpec("GET", _APP + "/guilds/{guild_id}/commands", get_commands, "commands.get", ("guild_id",)),
)
