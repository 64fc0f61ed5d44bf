"""The fake's mutable state: users, guilds, roles, channels (threads and DMs too) and messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import unknown
from .permissions import ALL_PERMISSIONS, BOT_PERMISSIONS, DM_PERMISSIONS, EVERYONE_PERMISSIONS, apply_overwrites
from .snowflakes import Snowflakes, iso_now

__all__ = ["Channel", "ChannelType", "Guild", "Message", "Role", "User", "World"]


class ChannelType:
    TEXT = 0
    DM = 1
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    THREADS = (11, 12)


@dataclass(slots=True)
class User:
    id: int
    name: str
    bot: bool = False


@dataclass(slots=True)
class Role:
    id: int
    name: str
    permissions: int
    managed: bool = False
    position: int = 0


@dataclass(slots=True)
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=dict)
    joined_at: str = field(default_factory=iso_now)


@dataclass(slots=True)
class Channel:
    id: int
    type: int
    name: str = ""
    guild_id: int | None = None
    parent_id: int | None = None
    owner_id: int | None = None
    recipients: list[int] = field(default_factory=list)
    overwrites: dict[int, tuple[int, int]] = field(default_factory=dict)
    message_count: int = 0
    last_message_id: int | None = None
    created_at: str = field(default_factory=iso_now)


@dataclass(slots=True)
class Message:
    id: int
    channel_id: int
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    flags: int = 0
    type: int = 0
    source: str = "channel"
    webhook_id: int | None = None
    interaction_id: int | None = None
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    attachments: list[dict[str, Any]] = field(default_factory=list)
    reactions: dict[str, list[int]] = field(default_factory=dict)
    thread_id: int | None = None
    reference_id: int | None = None
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    deleted: bool = False
    visible_to: int | None = None  # an ephemeral message: the one user who sees it


class World:
    """Everything that exists in the fake Discord. Lookups raise Discord's 404 errors."""

    def __init__(self, *, ids: Snowflakes, bot_name: str) -> None:
        self.ids = ids
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.bot = self.add_user(bot_name, bot=True)
        self.owner = self.add_user("guild-owner")

    def add_user(self, name: str, *, bot: bool = False) -> User:
        user = User(id=self.ids.next(), name=name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, shard: tuple[int, int] | None = None) -> Guild:
        """A new guild; ``shard=(shard_id, num_shards)``: one whose id that shard gets the events of."""
        guild_id = self.ids.next() if shard is None else self.ids.next_on_shard(*shard)
        guild = Guild(id=guild_id, name=name, owner_id=self.owner.id)
        guild.roles[guild.id] = Role(id=guild.id, name="@everyone", permissions=int(EVERYONE_PERMISSIONS))
        bot_role = Role(id=self.ids.next(), name=self.bot.name, permissions=int(BOT_PERMISSIONS), managed=True)
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot.id] = [bot_role.id]
        guild.members[self.owner.id] = []
        self.guilds[guild.id] = guild
        return guild

    def add_channel(self, *, channel_id: int | None = None, **fields: Any) -> Channel:
        """A new channel; ``channel_id``: its id when Discord gives it one already (a thread started from a message
        takes that message's id)."""
        channel = Channel(id=self.ids.next() if channel_id is None else channel_id, **fields)
        self.channels[channel.id] = channel
        return channel

    def dm_with(self, user_id: int) -> Channel:
        for channel in self.channels.values():
            if channel.type == ChannelType.DM and channel.recipients == [user_id]:
                return channel
        return self.add_channel(type=ChannelType.DM, recipients=[user_id])

    def user(self, user_id: int) -> User:
        if user_id not in self.users:
            raise unknown("user")
        return self.users[user_id]

    def guild(self, guild_id: int) -> Guild:
        if guild_id not in self.guilds:
            raise unknown("guild")
        return self.guilds[guild_id]

    def channel(self, channel_id: int) -> Channel:
        if channel_id not in self.channels:
            raise unknown("channel")
        return self.channels[channel_id]

    def message(self, channel_id: int, message_id: int) -> Message:
        message = self.messages.get(message_id)
        if message is None or message.deleted or message.channel_id != channel_id:
            raise unknown("message")
        return message

    def guild_channels(self, guild_id: int) -> list[Channel]:
        return [c for c in self.channels.values() if c.guild_id == guild_id and c.type not in ChannelType.THREADS]

    def threads(self, guild_id: int) -> list[Channel]:
        return [c for c in self.channels.values() if c.guild_id == guild_id and c.type in ChannelType.THREADS]

    def base_permissions(self, guild: Guild, user_id: int) -> int:
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        value = guild.roles[guild.id].permissions
        for role_id in guild.members.get(user_id, []):
            value |= guild.roles[role_id].permissions
        return value

    def permissions(self, user_id: int, channel_id: int) -> int:
        """A user's permissions in a channel: roles, then @everyone, role and member overwrites (threads inherit)."""
        channel = self.channel(channel_id)
        if channel.guild_id is None:
            return int(DM_PERMISSIONS)
        if channel.type in ChannelType.THREADS and channel.parent_id is not None:
            channel = self.channel(channel.parent_id)
        guild = self.guild(channel.guild_id)  # type: ignore[arg-type]
        roles = guild.members.get(user_id, [])
        role_allow = role_deny = 0
        for role_id in roles:
            allow, deny = channel.overwrites.get(role_id, (0, 0))
            role_allow, role_deny = role_allow | allow, role_deny | deny
        steps = [channel.overwrites.get(guild.id, (0, 0)), (role_allow, role_deny)]
        steps.append(channel.overwrites.get(user_id, (0, 0)))
        return apply_overwrites(self.base_permissions(guild, user_id), steps)
