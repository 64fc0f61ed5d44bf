"""Test-side events: what users do (slash commands, button presses, messages, reactions), sent to the bot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .commands import CHAT_INPUT, MESSAGE
from .components import BUTTON, STRING_SELECT, find_component
from .context import Context
from .interactions import APPLICATION_COMMAND, MESSAGE_COMPONENT, InteractionState, command_options, interaction_json
from .payloads import message_json
from .world import Message

__all__ = [
    "choose",
    "deliver_interaction",
    "press_button",
    "run_command",
    "run_message_command",
    "user_message",
    "user_reaction",
]


def _usable_in_dm(command: Mapping[str, Any]) -> bool:
    contexts = command.get("contexts")
    if contexts is not None:
        return 1 in contexts
    return command.get("dm_permission") is not False and "guild_id" not in command


def _check_user(ctx: Context, user_id: int, channel_id: int) -> int | None:
    channel = ctx.world.channel(channel_id)
    ctx.world.user(user_id)
    if channel.guild_id is None:
        if channel.recipients != [user_id]:
            raise ValueError(f"user {user_id} is not in DM channel {channel_id}")
    elif user_id not in ctx.world.guild(channel.guild_id).members:
        raise ValueError(f"user {user_id} is not a member of guild {channel.guild_id}")
    return channel.guild_id


def deliver_interaction(ctx: Context, state: InteractionState) -> None:
    """Send INTERACTION_CREATE for ``state``; calling it again is a duplicate delivery of the same interaction."""
    data = interaction_json(ctx.world, state, application_id=ctx.application_id)
    ctx.hub.dispatch_all("INTERACTION_CREATE", data, guild_id=state.guild_id)


def _registered(ctx: Context, name: str, guild_id: int | None, kind: int) -> dict[str, Any]:
    """The synced command ``name`` of ``kind`` a user may run here (else LookupError: a client would not offer it)."""
    command = ctx.commands.find(name, guild_id, kind=kind)
    if command is None or (guild_id is None and not _usable_in_dm(command)):
        place = f"guild {guild_id}" if guild_id else "DMs"
        what = f"/{name}" if kind == CHAT_INPUT else f"command {name!r} of type {kind}"
        raise LookupError(f"{what} is not registered for {place}; sync the command tree first")
    return command


def _command_interaction(
    ctx: Context,
    command: Mapping[str, Any],
    data: dict[str, Any],
    *,
    channel_id: int,
    guild_id: int | None,
    user_id: int,
) -> InteractionState:
    """Open and deliver the APPLICATION_COMMAND interaction running ``command`` with ``data``."""
    data = {"id": command["id"], "name": command["name"], "type": command.get("type", CHAT_INPUT), **data}
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    state = ctx.interactions.open(
        interaction_id=ctx.world.ids.next(),
        type=APPLICATION_COMMAND,
        channel_id=channel_id,
        guild_id=guild_id,
        user_id=user_id,
        data=data,
    )
    deliver_interaction(ctx, state)
    return state


def run_command(
    ctx: Context, *, name: str, options: Mapping[str, Any], user_id: int, channel_id: int
) -> InteractionState:
    """A user runs ``/name`` with ``options``. The command must have been registered (synced) first."""
    guild_id = _check_user(ctx, user_id, channel_id)
    command = _registered(ctx, name, guild_id, CHAT_INPUT)
    data = {"options": command_options(command, options)} if options else {}
    return _command_interaction(ctx, command, data, channel_id=channel_id, guild_id=guild_id, user_id=user_id)


def run_message_command(ctx: Context, *, name: str, message_id: int, user_id: int) -> InteractionState:
    """A user picks the message command ``name`` (Apps, in a message's menu) on a message they can see: an
    APPLICATION_COMMAND interaction whose data names the command (type 3), the message (``target_id``) and carries
    it in ``resolved.messages``, its content included whatever the bot's intents (Discord gives a message command
    the message it was used on)."""
    message = ctx.world.messages.get(message_id)
    if message is None or message.deleted:
        raise LookupError(f"message {message_id} does not exist")
    if message.visible_to is not None:
        raise LookupError("an ephemeral message has no message commands")
    channel_id = message.channel_id
    guild_id = _check_user(ctx, user_id, channel_id)
    command = _registered(ctx, name, guild_id, MESSAGE)
    target = {
        "target_id": str(message.id),
        "resolved": {"messages": {str(message.id): message_json(ctx.world, message)}},
    }
    return _command_interaction(ctx, command, target, channel_id=channel_id, guild_id=guild_id, user_id=user_id)


def _component(ctx: Context, message_id: int, custom_id: str, user_id: int, kind: int) -> Mapping[str, Any]:
    """The enabled component ``custom_id`` of ``kind`` on a message ``user_id`` sees: what a Discord client could
    click (anything else raises LookupError, as the client would never send it)."""
    message = ctx.world.messages.get(message_id)
    if message is None or message.deleted:
        raise LookupError(f"message {message_id} does not exist")
    if message.visible_to is not None and message.visible_to != user_id:
        raise LookupError(f"message {message_id} is ephemeral: user {user_id} does not see it")
    component = find_component(message.components, custom_id)
    if component is None or component.get("type") != kind:
        raise LookupError(f"message {message_id} has no component {custom_id!r} of type {kind}")
    if component.get("disabled"):
        raise LookupError(f"component {custom_id!r} is disabled")
    return component


def _component_interaction(ctx: Context, *, message_id: int, user_id: int, data: dict[str, Any]) -> InteractionState:
    message = ctx.world.messages[message_id]
    guild_id = _check_user(ctx, user_id, message.channel_id)
    state = ctx.interactions.open(
        interaction_id=ctx.world.ids.next(),
        type=MESSAGE_COMPONENT,
        channel_id=message.channel_id,
        guild_id=guild_id,
        user_id=user_id,
        data=data,
        message_id=message_id,
    )
    state.message_ids.append(message_id)
    deliver_interaction(ctx, state)
    return state


def press_button(ctx: Context, *, message_id: int, custom_id: str, user_id: int) -> InteractionState:
    """A user presses the button ``custom_id`` on one of the bot's messages (it must be there, enabled and seen)."""
    _component(ctx, message_id, custom_id, user_id, BUTTON)
    data = {"custom_id": custom_id, "component_type": BUTTON}
    return _component_interaction(ctx, message_id=message_id, user_id=user_id, data=data)


def choose(ctx: Context, *, message_id: int, custom_id: str, values: Sequence[str], user_id: int) -> InteractionState:
    """A user picks ``values`` in the string select ``custom_id`` (each one of its options, as many as it allows)."""
    select = _component(ctx, message_id, custom_id, user_id, STRING_SELECT)
    offered = {option["value"] for option in select.get("options") or []}
    low, high = int(select.get("min_values", 1)), int(select.get("max_values", 1))
    if not set(values) <= offered or not low <= len(values) <= high:
        raise ValueError(f"select {custom_id!r} takes {low}..{high} of its own options")
    data = {"custom_id": custom_id, "component_type": STRING_SELECT, "values": list(values)}
    return _component_interaction(ctx, message_id=message_id, user_id=user_id, data=data)


def user_message(ctx: Context, *, user_id: int, channel_id: int, content: str) -> Message:
    """A user posts ``content`` (write ``<@bot_id>`` to mention the bot)."""
    _check_user(ctx, user_id, channel_id)
    return ctx.actions.create_message(
        channel_id=channel_id, author_id=user_id, body={"content": content}, source="user"
    )


def user_reaction(ctx: Context, *, user_id: int, channel_id: int, message_id: int, emoji: str, add: bool) -> None:
    """A user adds or removes a reaction on any message in the channel."""
    _check_user(ctx, user_id, channel_id)
    message = ctx.world.message(channel_id, message_id)
    if message.visible_to is not None:
        raise ValueError("an ephemeral message takes no reactions")
    ctx.actions.react(message, emoji, user_id, add=add)
