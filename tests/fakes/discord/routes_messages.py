"""REST routes for channel messages and reactions, with Discord's permission checks."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .bodies import MAX_FILES, read_message_body
from .components import COMPONENTS_V2
from .context import Context
from .errors import ApiError, form_error, max_length_error, missing_permissions, unknown
from .payloads import message_json, user_json
from .permissions import Permission
from .routing import RouteSpec, json_response, snowflake
from .validation import check_edit, check_message
from .world import Channel, ChannelType, Message

__all__ = ["MESSAGE_ROUTES", "attachments_for", "edited_attachments", "require"]

REPLY = 19
_EDITABLE_FLAGS = 1 << 2  # SUPPRESS_EMBEDS
_SENDABLE_FLAGS = (1 << 2) | (1 << 12) | COMPONENTS_V2  # SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2
EPHEMERAL = 1 << 6


def require(ctx: Context, channel: Channel, needed: int) -> None:
    """403 unless the bot holds every bit of ``needed`` in ``channel`` (50001 if it cannot even see it)."""
    have = ctx.world.permissions(ctx.world.bot.id, channel.id)
    if not have & Permission.VIEW_CHANNEL:
        raise ApiError(403, 50001, "Missing Access")
    if have & needed != needed:
        raise missing_permissions()


def attachments_for(ctx: Context, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for file in files:
        attachment_id = ctx.world.ids.next()
        url = f"{ctx.base_url}/attachments/{attachment_id}/{file['filename']}"
        found.append(file | {"id": str(attachment_id), "url": url, "proxy_url": url})
    return found


def _message(ctx: Context, request: web.Request) -> tuple[Channel, Message]:
    """The message at the path; an ephemeral one is only reachable through its interaction's webhook."""
    channel = ctx.world.channel(snowflake(request, "channel_id"))
    message = ctx.world.message(channel.id, snowflake(request, "message_id"))
    if message.flags & EPHEMERAL:
        raise unknown("message")
    return channel, message


async def create_message(ctx: Context, request: web.Request) -> web.Response:
    channel = ctx.world.channel(snowflake(request, "channel_id"))
    body, files = await read_message_body(request, upload_limit=ctx.upload_limit)
    in_thread = channel.type in ChannelType.THREADS
    needed = Permission.SEND_MESSAGES_IN_THREADS if in_thread else Permission.SEND_MESSAGES
    require(ctx, channel, needed | (Permission.ATTACH_FILES if files else 0))
    fields: dict[str, Any] = {"flags": int(body.get("flags") or 0) & _SENDABLE_FLAGS}
    check_message(body, has_files=bool(files), flags=fields["flags"])
    reference = body.get("message_reference") or {}
    if reference.get("message_id"):
        referenced = ctx.world.messages.get(int(reference["message_id"]))
        if referenced is None or referenced.deleted or referenced.channel_id != channel.id:
            raise form_error(("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
        fields.update(reference_id=referenced.id, type=REPLY)
    message = ctx.actions.create_message(
        channel_id=channel.id,
        author_id=ctx.world.bot.id,
        body=body,
        attachments=attachments_for(ctx, files),
        **fields,
    )
    return json_response(message_json(ctx.world, message))


async def edit_message(ctx: Context, request: web.Request) -> web.Response:
    channel, message = _message(ctx, request)
    if message.author_id != ctx.world.bot.id:
        raise ApiError(403, 50005, "Cannot edit a message authored by another user")
    body, files = await read_message_body(request, upload_limit=ctx.upload_limit)
    if files:
        require(ctx, channel, Permission.ATTACH_FILES)
    flags = check_edit(message, body)
    if "flags" in body:
        flags = (flags & ~_EDITABLE_FLAGS) | (int(body["flags"] or 0) & _EDITABLE_FLAGS)
    attachments = edited_attachments(ctx, message, body.get("attachments"), files)
    ctx.actions.edit_message(message, body, flags=flags, attachments=attachments)
    return json_response(message_json(ctx.world, message))


def edited_attachments(
    ctx: Context, message: Message, listed: list[dict[str, Any]] | None, files: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """The attachments a message has after an edit (``None``: unchanged). Discord's Edit Message (API v10): with an
    ``attachments`` list the message keeps exactly those listed, existing ones by their id and new uploads by the
    index of their ``files[n]`` part; without one, uploaded files are added to those it has."""
    if listed is None:
        return message.attachments + attachments_for(ctx, files) if files else None
    existing = {str(a["id"]): a for a in message.attachments}
    after: list[dict[str, Any]] = []
    for index, entry in enumerate(listed):
        key = str(entry.get("id"))
        if key in existing:
            after.append(existing[key])
        elif key.isdecimal() and int(key) < len(files):
            after += attachments_for(ctx, [files[int(key)]])
        else:
            raise form_error(("attachments", index, "id"), "ATTACHMENT_NOT_FOUND", "Unknown attachment")
    if len(after) > MAX_FILES:
        raise max_length_error(("attachments",), MAX_FILES)
    return after


async def get_message(ctx: Context, request: web.Request) -> web.Response:
    channel, message = _message(ctx, request)
    require(ctx, channel, Permission.READ_MESSAGE_HISTORY)
    return json_response(message_json(ctx.world, message))


async def delete_message(ctx: Context, request: web.Request) -> web.Response:
    channel, message = _message(ctx, request)
    if message.author_id != ctx.world.bot.id:
        require(ctx, channel, Permission.MANAGE_MESSAGES)
    ctx.actions.delete_message(message)
    return web.Response(status=204)


def _emoji(request: web.Request) -> str:
    emoji = request.match_info["emoji"]
    if not emoji or (emoji.isascii() and ":" not in emoji):
        raise ApiError(400, 10014, "Unknown Emoji")
    return emoji


async def add_reaction(ctx: Context, request: web.Request) -> web.Response:
    channel, message = _message(ctx, request)
    emoji = _emoji(request)
    is_new = not message.reactions.get(emoji)
    require(ctx, channel, Permission.READ_MESSAGE_HISTORY | (Permission.ADD_REACTIONS if is_new else 0))
    ctx.actions.react(message, emoji, ctx.world.bot.id, add=True)
    return web.Response(status=204)


async def reaction_users(ctx: Context, request: web.Request) -> web.Response:
    """Who reacted with an emoji, in id order: ``limit`` (1-100, default 25) after the ``after`` user id."""
    channel, message = _message(ctx, request)
    require(ctx, channel, Permission.READ_MESSAGE_HISTORY)
    try:
        limit, after = int(request.query.get("limit", 25)), int(request.query.get("after", 0))
    except ValueError:
        raise form_error(("limit",), "NUMBER_TYPE_COERCE", "Value is not int.") from None
    if not 1 <= limit <= 100:
        raise form_error(("limit",), "NUMBER_TYPE_MAX", "int value should be between 1 and 100.")
    users = sorted(u for u in message.reactions.get(_emoji(request), []) if u > after)[:limit]
    return json_response([user_json(ctx.world.user(u)) for u in users])


async def remove_reaction(ctx: Context, request: web.Request) -> web.Response:
    channel, message = _message(ctx, request)
    user = request.match_info["user"]
    user_id = ctx.world.bot.id if user == "@me" else snowflake(request, "user")
    if user_id != ctx.world.bot.id:
        require(ctx, channel, Permission.MANAGE_MESSAGES)
    ctx.actions.react(message, _emoji(request), user_id, add=False)
    return web.Response(status=204)


_MESSAGES = "/channels/{channel_id}/messages"
_ONE = _MESSAGES + "/{message_id}"
_REACTION = _ONE + "/reactions/{emoji}"
MESSAGE_ROUTES = (
    RouteSpec("POST", _MESSAGES, create_message, "messages.create", ("channel_id",)),
    RouteSpec("GET", _ONE, get_message, "messages.get", ("channel_id",)),
    RouteSpec("PATCH", _ONE, edit_message, "messages.edit", ("channel_id",)),
    RouteSpec("DELETE", _ONE, delete_message, "messages.delete", ("channel_id",)),
    RouteSpec("PUT", _REACTION + "/@me", add_reaction, "reactions", ("channel_id",)),
    RouteSpec("DELETE", _REACTION + "/{user}", remove_reaction, "reactions", ("channel_id",)),
    RouteSpec("GET", _REACTION, reaction_users, "reactions.get", ("channel_id",)),
)
