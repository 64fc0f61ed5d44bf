"""The OAuth2 URL that adds the bot to a server with exactly the scopes and permissions it uses."""

from __future__ import annotations

from urllib.parse import urlencode

import discord

__all__ = ["INVITE_SCOPES", "bot_permissions", "invite_url"]

INVITE_SCOPES = ("bot", "applications.commands")


def bot_permissions() -> discord.Permissions:
    """What the bot does: read and post in channels and threads, start public threads, react, read history, and
    attach a file (the rest of a chain past the thread cap).

    Mention Everyone is deliberately absent: the bot never pings.
    """
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        add_reactions=True,
        read_message_history=True,
        attach_files=True,
    )


def invite_url(application_id: int, *, base: str = "https://discord.com") -> str:
    permissions = str(bot_permissions().value)
    query = urlencode({"client_id": str(application_id), "scope": " ".join(INVITE_SCOPES), "permissions": permissions})
    return f"{base.rstrip('/')}/oauth2/authorize?{query}"
