"""Who a message would ping, from its content and ``allowed_mentions`` (Discord's rules, simplified)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Pings", "resolve_pings"]

_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)\b")


@dataclass(frozen=True, slots=True)
class Pings:
    users: tuple[int, ...]
    roles: tuple[int, ...]
    everyone: bool


def resolve_pings(
    content: str,
    allowed: Mapping[str, Any] | None,
    *,
    users: Collection[int],
    roles: Collection[int],
    may_mention_everyone: bool,
) -> Pings:
    """Users, roles and @everyone/@here that ``content`` would notify.

    No ``allowed_mentions`` means everything in the text pings; otherwise only the ``parse`` kinds and the ids
    listed under ``users``/``roles``. @everyone also needs the Mention Everyone permission.
    """
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    listed_users = {int(u) for u in (allowed or {}).get("users") or []}
    listed_roles = {int(r) for r in (allowed or {}).get("roles") or []}
    found_users = dict.fromkeys(int(m) for m in _USER.findall(content))
    found_roles = dict.fromkeys(int(m) for m in _ROLE.findall(content))
    return Pings(
        users=tuple(u for u in found_users if u in users and ("users" in parse or u in listed_users)),
        roles=tuple(r for r in found_roles if r in roles and ("roles" in parse or r in listed_roles)),
        everyone=bool(_EVERYONE.search(content)) and "everyone" in parse and may_mention_everyone,
    )
