"""Interactions the fake has sent: their tokens, deadlines and responses, and the INTERACTION_CREATE payloads."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, unknown
from .payloads import channel_json, member_json, message_json, user_json
from .world import World

__all__ = ["InteractionState", "Interactions", "command_options"]

APPLICATION_COMMAND, MESSAGE_COMPONENT = 2, 3


@dataclass(slots=True)
class InteractionState:
    id: int
    token: str = field(repr=False)
    type: int
    channel_id: int
    guild_id: int | None
    user_id: int
    created: float
    data: dict[str, Any] = field(default_factory=dict)
    message_id: int | None = None
    response_type: int | None = None
    original_id: int | None = None
    message_ids: list[int] = field(default_factory=list)


class Interactions:
    """Looks interactions up by id (callbacks) or by token (webhook follow-ups), enforcing Discord's clocks."""

    def __init__(self, *, clock: Callable[[], float], callback_deadline: float, token_ttl: float) -> None:
        self._clock = clock
        self._callback_deadline = callback_deadline
        self._token_ttl = token_ttl
        self.by_id: dict[int, InteractionState] = {}

    def open(self, *, interaction_id: int, **fields: Any) -> InteractionState:
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        state = InteractionState(id=interaction_id, token=token, created=self._clock(), **fields)
        self.by_id[state.id] = state
        return state

    def for_callback(self, interaction_id: int, token: str) -> InteractionState:
        state = self.by_id.get(interaction_id)
        if state is None or not secrets.compare_digest(state.token, token):
            raise unknown("interaction")
        if state.response_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if self._clock() - state.created > self._callback_deadline:
            raise unknown("interaction")
        return state

    def for_webhook(self, token: str) -> InteractionState:
        state = next((s for s in self.by_id.values() if secrets.compare_digest(s.token, token)), None)
        if state is None or state.response_type is None:
            raise unknown("webhook")
        if self._clock() - state.created > self._token_ttl:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        return state


SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, NUMBER = 1, 2, 3, 4, 10


def command_options(command: Mapping[str, Any], options: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Typed option payloads for ``options``, checked against the registered command like a Discord client would."""
    declared = {o["name"]: o for o in command.get("options") or []}
    unknown_names = set(options) - set(declared)
    if unknown_names:
        raise ValueError(f"/{command['name']} has no option(s) {sorted(unknown_names)}")
    missing = [n for n, o in declared.items() if o.get("required") and n not in options]
    if missing:
        raise ValueError(f"/{command['name']} needs option(s) {missing}")
    typed: list[dict[str, Any]] = []
    for name, value in options.items():
        option = declared[name]
        if option["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP):
            # ``{"settings": {"model": "m"}}``: the subcommand, its own options nested (Discord's shape)
            typed.append({"name": name, "type": option["type"], "options": command_options(option, value or {})})
            continue
        _check_value(command, option, value)
        typed.append({"name": name, "type": option["type"], "value": value})
    return typed


def _check_value(command: Mapping[str, Any], option: Mapping[str, Any], value: Any) -> None:
    """What a Discord client refuses to send: a string outside min_length..max_length, a number outside
    min_value..max_value, or a value other than the option's choices."""
    where = f"/{command['name']} {option['name']}"
    too_long = isinstance(value, str) and not option.get("min_length", 0) <= len(value) <= option.get(
        "max_length", 6000
    )
    if option["type"] == STRING and too_long:
        raise ValueError(f"{where}: a Discord client does not send {len(value)} characters here")
    if option["type"] in (INTEGER, NUMBER) and isinstance(value, int | float):
        low, high = option.get("min_value"), option.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{where}: a Discord client does not send {value} here")
    choices = option.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"{where}: {value!r} is not one of its choices")


def interaction_json(world: World, state: InteractionState, *, application_id: int) -> dict[str, Any]:
    """The INTERACTION_CREATE payload for ``state``, from a guild channel (member) or a DM (user)."""
    channel = world.channel(state.channel_id)
    payload: dict[str, Any] = {
        "id": str(state.id),
        "application_id": str(application_id),
        "type": state.type,
        "token": state.token,
        "version": 1,
        "data": state.data,
        "channel_id": str(channel.id),
        "channel": channel_json(world, channel),
        "app_permissions": str(world.permissions(world.bot.id, channel.id)),
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if state.guild_id is not None:
        guild = world.guild(state.guild_id)
        member = member_json(world, guild, state.user_id)
        member["permissions"] = str(world.permissions(state.user_id, channel.id))
        payload.update(
            guild_id=str(guild.id),
            guild={"id": str(guild.id), "locale": "en-US", "features": []},
            guild_locale="en-US",
            member=member,
            authorizing_integration_owners={"0": str(guild.id)},
            context=0,
        )
    else:
        payload.update(user=user_json(world.user(state.user_id)), authorizing_integration_owners={"0": "0"}, context=1)
    if state.message_id is not None:
        payload["message"] = message_json(world, world.messages[state.message_id])
    return payload
