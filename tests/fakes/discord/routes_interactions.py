"""Interaction callbacks and the follow-up webhook (``/webhooks/{application_id}/{token}``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .bodies import read_message_body
from .components import COMPONENTS_V2
from .context import Context
from .errors import ApiError, form_error, unknown
from .interactions import MESSAGE_COMPONENT, InteractionState
from .payloads import message_json
from .records import CallbackRecord
from .routes_messages import attachments_for
from .routing import RouteSpec, json_response, snowflake
from .validation import check_edit, check_message
from .world import Message

__all__ = ["INTERACTION_ROUTES"]

MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
EPHEMERAL, LOADING = 1 << 6, 1 << 7
_FOLLOWUP_FLAGS = EPHEMERAL | (1 << 2) | (1 << 12) | COMPONENTS_V2
CHAT_INPUT_COMMAND = 20


def _respond(
    ctx: Context, state: InteractionState, kind: int, data: dict[str, Any], files: list[dict[str, Any]]
) -> Message | None:
    """Discord's answer to callback ``kind``: 4 posts a message (ephemeral: only the user sees it), 5 a "thinking"
    placeholder; for a component's interaction 6 acknowledges and 7 edits the message the component is on."""
    if kind in (DEFERRED_UPDATE, UPDATE_MESSAGE) and state.type != MESSAGE_COMPONENT:
        raise form_error(("type",), "INTERACTION_CALLBACK_TYPE_INVALID", "Interaction callback type is invalid")
    if kind == MESSAGE:
        flags = int(data.get("flags") or 0) & _FOLLOWUP_FLAGS
        check_message(data, has_files=bool(files), flags=flags)
        return _post(ctx, state, data, flags=flags, source="interaction", attachments=attachments_for(ctx, files))
    if kind == DEFERRED_MESSAGE:
        return _post(ctx, state, {}, flags=LOADING | (int(data.get("flags") or 0) & EPHEMERAL), source="interaction")
    if kind == UPDATE_MESSAGE:
        message = ctx.world.messages[state.message_id or 0]
        return ctx.actions.edit_message(message, data, flags=check_edit(message, data))
    if kind == DEFERRED_UPDATE:
        return None
    raise form_error(("type",), "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 6, 7}.")


def _post(ctx: Context, state: InteractionState, body: dict[str, Any], **fields: Any) -> Message:
    visible_to = state.user_id if fields.get("flags", 0) & EPHEMERAL else None
    message = ctx.actions.create_message(
        channel_id=state.channel_id,
        author_id=ctx.world.bot.id,
        body=body,
        webhook_id=ctx.application_id,
        interaction_id=state.id,
        type=CHAT_INPUT_COMMAND,
        visible_to=visible_to,
        **fields,
    )
    state.message_ids.append(message.id)
    return message


async def callback(ctx: Context, request: web.Request) -> web.Response:
    interaction_id = snowflake(request, "interaction_id")
    body, files = await read_message_body(request, upload_limit=ctx.upload_limit)
    kind, data = int(body.get("type") or 0), dict(body.get("data") or {})
    try:
        state = ctx.interactions.for_callback(interaction_id, request.match_info["token"])
        message = _respond(ctx, state, kind, data, files)
    except ApiError as exc:
        ctx.recorder.add(ctx.recorder.callbacks, CallbackRecord(interaction_id, kind, data, exc.status))
        raise
    state.response_type = kind
    if kind in (MESSAGE, DEFERRED_MESSAGE):
        state.original_id = message.id if message else None
    else:  # a component's interaction: its original response is the message the component is on
        state.original_id = state.message_id
    status = 200 if request.query.get("with_response") in ("1", "true", "True") else 204
    ctx.recorder.add(ctx.recorder.callbacks, CallbackRecord(interaction_id, kind, data, status))
    if status == 204:
        return web.Response(status=204)
    return json_response(_callback_response(ctx, state, kind, message))


def _callback_response(ctx: Context, state: InteractionState, kind: int, message: Message | None) -> dict[str, Any]:
    interaction: dict[str, Any] = {"id": str(state.id), "type": state.type}
    resource: dict[str, Any] = {"type": kind}
    if message is not None:
        interaction.update(
            response_message_id=str(message.id),
            response_message_loading=bool(message.flags & LOADING),
            response_message_ephemeral=bool(message.flags & EPHEMERAL),
        )
        resource["message"] = message_json(ctx.world, message)
    return {"interaction": interaction, "resource": resource}


def _state(ctx: Context, request: web.Request) -> InteractionState:
    if snowflake(request, "application_id") != ctx.application_id:
        raise unknown("webhook")
    return ctx.interactions.for_webhook(request.match_info["token"])


def _own_message(ctx: Context, request: web.Request, state: InteractionState) -> Message:
    raw = request.match_info["message_id"]
    message_id = state.original_id if raw == "@original" else snowflake(request, "message_id")
    message = ctx.world.messages.get(message_id or 0)
    if message is None or message.deleted or message.id not in state.message_ids:
        raise unknown("message")
    return message


async def execute(ctx: Context, request: web.Request) -> web.Response:
    """A follow-up. The first one after a deferral fills in the "thinking" message instead, as Discord does."""
    state = _state(ctx, request)
    body, files = await read_message_body(request, upload_limit=ctx.upload_limit)
    flags = int(body.get("flags") or 0) & _FOLLOWUP_FLAGS
    original = ctx.world.messages.get(state.original_id or 0)
    if original is not None and original.flags & LOADING and not original.deleted:
        # The ack could not carry IS_COMPONENTS_V2; the message that fills it in may.
        flags = (original.flags & ~LOADING) | (flags & COMPONENTS_V2)
        check_message(body, has_files=bool(files), flags=flags)
        message = ctx.actions.edit_message(original, body, flags=flags)
    else:
        check_message(body, has_files=bool(files), flags=flags)
        message = _post(ctx, state, body, flags=flags, source="followup", attachments=attachments_for(ctx, files))
    if request.query.get("wait") in ("1", "true", "True"):
        return json_response(message_json(ctx.world, message))
    return web.Response(status=204)


async def edit(ctx: Context, request: web.Request) -> web.Response:
    state = _state(ctx, request)
    message = _own_message(ctx, request, state)
    body, _ = await read_message_body(request, upload_limit=ctx.upload_limit)
    ctx.actions.edit_message(message, body, flags=check_edit(message, body) & ~LOADING)
    return json_response(message_json(ctx.world, message))


async def get(ctx: Context, request: web.Request) -> web.Response:
    state = _state(ctx, request)
    return json_response(message_json(ctx.world, _own_message(ctx, request, state)))


async def delete(ctx: Context, request: web.Request) -> web.Response:
    state = _state(ctx, request)
    ctx.actions.delete_message(_own_message(ctx, request, state))
    return web.Response(status=204)


_HOOK = "/webhooks/{application_id}/{token}"
_MAJOR = ("application_id", "token")
INTERACTION_ROUTES = (
    RouteSpec("POST", "/interactions/{interaction_id}/{token}/callback", callback, "interactions", auth=False),
    RouteSpec("POST", _HOOK, execute, "webhooks", _MAJOR, auth=False),
    RouteSpec("GET", _HOOK + "/messages/{message_id}", get, "webhooks.get", _MAJOR, auth=False),
    RouteSpec("PATCH", _HOOK + "/messages/{message_id}", edit, "webhooks", _MAJOR, auth=False),
    RouteSpec("DELETE", _HOOK + "/messages/{message_id}", delete, "webhooks", _MAJOR, auth=False),
)
