"""Where a Discord question was asked and who asked it, as a server's allowlists see them: a thread counts as the
channel it belongs to, and a member's roles are their ids."""

from __future__ import annotations

from typing import Any

import discord

__all__ = ["asked_where", "place_of", "roles_of"]


def asked_where(channel: Any) -> str:
    """The id of ``channel``, or of its parent for a thread (an admin allows channels, not each thread)."""
    if isinstance(channel, discord.Thread) and channel.parent_id:
        return str(channel.parent_id)
    return str(getattr(channel, "id", "") or "")


def roles_of(user: discord.User | discord.Member) -> tuple[str, ...]:
    """A member's role ids (none outside a server)."""
    return tuple(str(role.id) for role in getattr(user, "roles", ()))


def place_of(interaction: discord.Interaction) -> str:
    """The core's place for an interaction: its server, or the asker's DMs."""
    if interaction.guild_id:
        return f"discord:guild:{interaction.guild_id}"
    return f"discord:dm:{interaction.user.id}"
