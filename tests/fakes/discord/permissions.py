"""Discord permission bits and the overwrite arithmetic the fake checks requests against."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntFlag

__all__ = [
    "ALL_PERMISSIONS",
    "BOT_PERMISSIONS",
    "DM_PERMISSIONS",
    "EVERYONE_PERMISSIONS",
    "Permission",
    "apply_overwrites",
]


class Permission(IntFlag):
    """The bits a Discord bot's requests depend on (values from the Discord API documentation)."""

    CREATE_INSTANT_INVITE = 1 << 0
    ADMINISTRATOR = 1 << 3
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38


ALL_PERMISSIONS = (1 << 51) - 1
# What anyone has in a DM channel.
DM_PERMISSIONS = (
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.ADD_REACTIONS
    | Permission.READ_MESSAGE_HISTORY
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
)
EVERYONE_PERMISSIONS = (
    DM_PERMISSIONS
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.CREATE_PRIVATE_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
)
# What the invite URL grants the bot's managed role (Mention Everyone too, so a missing
# AllowedMentions.none() shows up as a ping in tests).
BOT_PERMISSIONS = (
    EVERYONE_PERMISSIONS | Permission.MANAGE_MESSAGES | Permission.MANAGE_THREADS | Permission.MENTION_EVERYONE
)


def apply_overwrites(base: int, overwrites: Iterable[tuple[int, int]]) -> int:
    """Apply channel overwrites ``(allow, deny)`` in order to ``base``; administrators ignore them."""
    if base & Permission.ADMINISTRATOR:
        return ALL_PERMISSIONS
    value = base
    for allow, deny in overwrites:
        value = (value & ~deny) | allow
    return value
