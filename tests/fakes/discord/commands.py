"""Application commands: bulk overwrite and listing, global and per guild, checked like Discord checks them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import ApiError, form_error, max_length_error
from .snowflakes import Snowflakes

__all__ = ["Commands"]

_NAME = re.compile(r"^[-_\w]{1,32}$")
CHAT_INPUT, USER, MESSAGE = 1, 2, 3


def _check_named(item: Mapping[str, Any], path: tuple[str | int, ...], *, chat_input: bool) -> None:
    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name) or (chat_input and name != name.lower()):
        raise form_error((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    description = item.get("description") or ""
    if chat_input and not 1 <= len(description) <= 100:
        raise (
            max_length_error((*path, "description"), 100)
            if description
            else form_error((*path, "description"), "BASE_TYPE_REQUIRED", "This field is required")
        )


def _check_context_menu(command: Mapping[str, Any], index: int) -> None:
    """A user or message command: any 1 to 32 characters for a name (spaces and capitals too), an empty
    description and no options, as Discord requires of context-menu commands."""
    name = command.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= len(name) <= 32:
        raise form_error((index, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    if command.get("description"):
        raise form_error((index, "description"), "APPLICATION_COMMAND_INVALID_DESCRIPTION", "Must be empty")
    if command.get("options"):
        raise form_error((index, "options"), "APPLICATION_COMMAND_OPTIONS_INVALID", "Must be empty")


def _check_command(command: Mapping[str, Any], index: int) -> None:
    kind = command.get("type", CHAT_INPUT)
    if kind in (USER, MESSAGE):
        _check_context_menu(command, index)
        return
    chat_input = kind == CHAT_INPUT
    _check_named(command, (index,), chat_input=chat_input)
    options = command.get("options") or []
    if len(options) > 25:
        raise max_length_error((index, "options"), 25)
    for number, option in enumerate(options):
        _check_named(option, (index, "options", number), chat_input=True)
        if len(option.get("choices") or []) > 25:
            raise max_length_error((index, "options", number, "choices"), 25)


class Commands:
    """What the application has registered. Ids stay the same when a command is overwritten by name."""

    def __init__(self, *, ids: Snowflakes, application_id: int) -> None:
        self._ids = ids
        self._application_id = application_id
        self._scopes: dict[int | None, dict[tuple[str, int], dict[str, Any]]] = {}

    def overwrite(self, payload: Any, guild_id: int | None) -> list[dict[str, Any]]:
        if not isinstance(payload, list):
            raise form_error((), "BASE_TYPE_ARRAY", "Must be an array.")
        if len(payload) > 100:
            raise ApiError(400, 30032, "Maximum number of application commands reached (100)")
        for index, command in enumerate(payload):
            _check_command(command, index)
        old = self._scopes.get(guild_id, {})
        new: dict[tuple[str, int], dict[str, Any]] = {}
        for command in payload:
            key = (command["name"], command.get("type", 1))
            known = old.get(key)
            new[key] = self._stored(command, guild_id, known["id"] if known else str(self._ids.next()))
        self._scopes[guild_id] = new
        return list(new.values())

    def _stored(self, command: Mapping[str, Any], guild_id: int | None, command_id: str) -> dict[str, Any]:
        stored = {
            "type": 1,
            "description": "",  # a user or message command's, as Discord returns it
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **command,
            "id": command_id,
            "application_id": str(self._application_id),
            "version": str(self._ids.next()),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    def listing(self, guild_id: int | None) -> list[dict[str, Any]]:
        return list(self._scopes.get(guild_id, {}).values())

    def find(self, name: str, guild_id: int | None, *, kind: int = CHAT_INPUT) -> dict[str, Any] | None:
        """The command of ``kind`` (chat input by default) an interaction would name: the guild's own first, then
        the global one."""
        for scope in (guild_id, None) if guild_id is not None else (None,):
            found = self._scopes.get(scope, {}).get((name, kind))
            if found is not None:
                return found
        return None
