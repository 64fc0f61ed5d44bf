"""REST routes for threads: public from a message (type 11) or, without one, private by default (type 12)."""

from __future__ import annotations

from aiohttp import web

from .bodies import read_json
from .context import Context
from .errors import ApiError, form_error
from .payloads import channel_json
from .permissions import Permission
from .routes_messages import require
from .routing import RouteSpec, json_response, snowflake
from .validation import check_thread_name
from .world import Channel, ChannelType

__all__ = ["THREAD_ROUTES"]

_NEEDED = {
    ChannelType.PUBLIC_THREAD: Permission.CREATE_PUBLIC_THREADS,
    ChannelType.PRIVATE_THREAD: Permission.CREATE_PRIVATE_THREADS,
}


def _parent(ctx: Context, request: web.Request) -> Channel:
    channel = ctx.world.channel(snowflake(request, "channel_id"))
    if channel.type != ChannelType.TEXT:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    return channel


async def thread_from_message(ctx: Context, request: web.Request) -> web.Response:
    parent = _parent(ctx, request)
    message = ctx.world.message(parent.id, snowflake(request, "message_id"))
    require(ctx, parent, Permission.CREATE_PUBLIC_THREADS | Permission.READ_MESSAGE_HISTORY)
    if message.thread_id is not None:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    name = check_thread_name((await read_json(request)).get("name"))
    thread = ctx.actions.create_thread(
        parent=parent, name=name, type=ChannelType.PUBLIC_THREAD, owner_id=ctx.world.bot.id, message=message
    )
    return json_response(channel_json(ctx.world, thread), status=201)


async def thread_without_message(ctx: Context, request: web.Request) -> web.Response:
    parent = _parent(ctx, request)
    body = await read_json(request)
    kind = body.get("type", ChannelType.PRIVATE_THREAD)
    if kind not in _NEEDED:
        raise form_error(("type",), "BASE_TYPE_CHOICES", "Value must be one of {11, 12}.")
    require(ctx, parent, _NEEDED[kind])
    name = check_thread_name(body.get("name"))
    thread = ctx.actions.create_thread(parent=parent, name=name, type=kind, owner_id=ctx.world.bot.id, message=None)
    return json_response(channel_json(ctx.world, thread), status=201)


THREAD_ROUTES = (
    RouteSpec(
        "POST", "/channels/{channel_id}/messages/{message_id}/threads", thread_from_message, "threads", ("channel_id",)
    ),
    RouteSpec("POST", "/channels/{channel_id}/threads", thread_without_message, "threads", ("channel_id",)),
)
