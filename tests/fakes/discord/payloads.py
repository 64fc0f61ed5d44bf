"""JSON shapes of users, members, roles, channels, guilds and messages, as Discord's API v10 sends them."""

from __future__ import annotations

from typing import Any

from .world import Channel, ChannelType, Guild, Message, Role, User, World

__all__ = [
    "application_json",
    "channel_json",
    "emoji_json",
    "guild_create_json",
    "guild_json",
    "member_json",
    "message_json",
    "role_json",
    "user_json",
]


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.name,
        "global_name": None if user.bot else user.name,
        "discriminator": "0",
        "avatar": None,
        "bot": user.bot,
        "public_flags": 0,
    }


def member_json(world: World, guild: Guild, user_id: int, *, with_user: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "roles": [str(r) for r in guild.members.get(user_id, [])],
        "nick": None,
        "joined_at": guild.joined_at,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
    }
    if with_user:
        data["user"] = user_json(world.user(user_id))
    return data


def role_json(role: Role) -> dict[str, Any]:
    return {
        "id": str(role.id),
        "name": role.name,
        "permissions": str(role.permissions),
        "position": role.position,
        "color": 0,
        "hoist": False,
        "managed": role.managed,
        "mentionable": True,
        "flags": 0,
    }


def channel_json(world: World, channel: Channel) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(channel.id), "type": channel.type, "flags": 0}
    if channel.last_message_id is not None:
        data["last_message_id"] = str(channel.last_message_id)
    if channel.type == ChannelType.DM:
        data["recipients"] = [user_json(world.user(u)) for u in channel.recipients]
        return data
    data.update(name=channel.name, guild_id=str(channel.guild_id), rate_limit_per_user=0)
    if channel.type in ChannelType.THREADS:
        data.update(
            parent_id=str(channel.parent_id),
            owner_id=str(channel.owner_id),
            message_count=channel.message_count,
            total_message_sent=channel.message_count,
            member_count=1,
            thread_metadata={
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": channel.created_at,
                "locked": False,
                "create_timestamp": channel.created_at,
                **({"invitable": True} if channel.type == ChannelType.PRIVATE_THREAD else {}),
            },
        )
        return data
    overwrites = [
        {
            "id": str(target),
            "type": 0 if target in world.guild(channel.guild_id).roles else 1,  # type: ignore[arg-type]
            "allow": str(allow),
            "deny": str(deny),
        }
        for target, (allow, deny) in channel.overwrites.items()
    ]
    data.update(position=0, parent_id=None, topic=None, nsfw=False, permission_overwrites=overwrites)
    return data


def guild_json(guild: Guild) -> dict[str, Any]:
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "owner_id": str(guild.owner_id),
        "roles": [role_json(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "system_channel_flags": 0,
        "preferred_locale": "en-US",
        "afk_timeout": 300,
    }


def guild_create_json(world: World, guild: Guild) -> dict[str, Any]:
    """The GUILD_CREATE payload: the guild plus its channels, threads and members."""
    data = guild_json(guild)
    data.update(
        unavailable=False,
        large=False,
        joined_at=guild.joined_at,
        member_count=len(guild.members),
        members=[member_json(world, guild, uid) for uid in guild.members],
        channels=[channel_json(world, c) for c in world.guild_channels(guild.id)],
        threads=[channel_json(world, c) for c in world.threads(guild.id)],
        voice_states=[],
        presences=[],
        stage_instances=[],
        guild_scheduled_events=[],
        soundboard_sounds=[],
    )
    return data


def message_json(world: World, message: Message, *, content_visible: bool = True) -> dict[str, Any]:
    """A message object; ``content_visible=False`` blanks what the message-content intent would withhold."""
    channel = world.channel(message.channel_id)
    data: dict[str, Any] = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "type": message.type,
        "author": user_json(world.user(message.author_id)),
        "content": message.content if content_visible else "",
        "embeds": message.embeds if content_visible else [],
        "attachments": [_public(a) for a in message.attachments] if content_visible else [],
        "components": message.components if content_visible else [],
        "timestamp": message.timestamp,
        "edited_timestamp": message.edited_timestamp,
        "flags": message.flags,
        "tts": False,
        "pinned": False,
        "mention_everyone": message.mention_everyone,
        "mentions": [user_json(world.user(u)) for u in message.mentions],
        "mention_roles": [str(r) for r in message.mention_roles],
        "reactions": [
            {
                "emoji": emoji_json(e),
                "count": len(us),
                "me": world.bot.id in us,
                "me_burst": False,
                "burst_colors": [],
                "count_details": {"burst": 0, "normal": len(us)},
            }
            for e, us in message.reactions.items()
            if us
        ],
    }
    if message.webhook_id is not None:
        data["webhook_id"] = str(message.webhook_id)
        data["application_id"] = str(message.webhook_id)
    if channel.guild_id is not None:
        data["guild_id"] = str(channel.guild_id)
    if message.reference_id is not None:
        reference = {"type": 0, "message_id": str(message.reference_id), "channel_id": str(message.channel_id)}
        data["message_reference"] = reference | ({"guild_id": str(channel.guild_id)} if channel.guild_id else {})
    if message.thread_id is not None:
        data["thread"] = channel_json(world, world.channel(message.thread_id))
    return data


def emoji_json(emoji: str) -> dict[str, Any]:
    """A reaction emoji: a unicode character, or ``name:id`` for a custom one (as in reaction URLs)."""
    name, _, emoji_id = emoji.partition(":")
    return {"id": emoji_id or None, "name": name}


def application_json(world: World, application_id: int) -> dict[str, Any]:
    return {
        "id": str(application_id),
        "name": world.bot.name,
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": user_json(world.owner),
        "team": None,
        "verify_key": "0" * 64,
        "flags": 0,
        "summary": "",
        "bot": user_json(world.bot),
        "interactions_endpoint_url": None,
    }


def _public(attachment: dict[str, Any]) -> dict[str, Any]:
    """An attachment object as the API returns it (the uploaded bytes stay in the fake)."""
    return {key: value for key, value in attachment.items() if key != "data"}
