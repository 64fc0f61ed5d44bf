"""The test-side API of the fake: build the world, act as users, disturb the gateway, wait for results."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from . import events
from .context import Context
from .hub import Intent
from .interactions import InteractionState
from .payloads import channel_json, guild_create_json, member_json, role_json
from .records import PostedMessage
from .world import ChannelType, Role

__all__ = ["Controls"]

RECONNECT, INVALID_SESSION = 7, 9


class Controls:
    def __init__(self, *, ctx: Context) -> None:
        self.ctx = ctx

    # The world. Changes made while the bot is connected reach it as gateway events, as on Discord.

    def add_guild(self, name: str = "Test Guild", *, shard: tuple[int, int] | None = None) -> int:
        """A guild the bot is in; ``shard=(shard_id, num_shards)`` gives it an id that shard gets the events of."""
        guild = self.ctx.world.add_guild(name, shard=shard)
        data = guild_create_json(self.ctx.world, guild)
        self.ctx.hub.dispatch_all("GUILD_CREATE", data, guild_id=guild.id, intent=Intent.GUILDS)
        return guild.id

    def add_text_channel(self, guild_id: int, name: str = "general") -> int:
        self.ctx.world.guild(guild_id)
        channel = self.ctx.world.add_channel(type=ChannelType.TEXT, name=name, guild_id=guild_id)
        data = channel_json(self.ctx.world, channel)
        self.ctx.hub.dispatch_all("CHANNEL_CREATE", data, guild_id=guild_id, intent=Intent.GUILDS)
        return channel.id

    def add_role(self, guild_id: int, name: str, *, permissions: int = 0) -> int:
        guild = self.ctx.world.guild(guild_id)
        role = Role(id=self.ctx.world.ids.next(), name=name, permissions=int(permissions), position=len(guild.roles))
        guild.roles[role.id] = role
        data = {"guild_id": str(guild_id), "role": role_json(role)}
        self.ctx.hub.dispatch_all("GUILD_ROLE_CREATE", data, guild_id=guild_id, intent=Intent.GUILDS)
        return role.id

    def add_user(self, name: str, *, guilds: Iterable[int] = ()) -> int:
        """A human user, optionally already a member of ``guilds``."""
        user = self.ctx.world.add_user(name)
        for guild_id in guilds:
            self.add_member(guild_id, user.id)
        return user.id

    def add_member(self, guild_id: int, user_id: int, *, roles: Iterable[int] = ()) -> None:
        guild = self.ctx.world.guild(guild_id)
        self.ctx.world.user(user_id)
        guild.members[user_id] = list(roles)
        data = member_json(self.ctx.world, guild, user_id) | {"guild_id": str(guild_id)}
        self.ctx.hub.dispatch_all("GUILD_MEMBER_ADD", data, guild_id=guild_id, intent=Intent.GUILD_MEMBERS)

    def dm_channel(self, user_id: int) -> int:
        """The DM channel between the bot and ``user_id`` (type 1; no threads can be made there)."""
        return self.ctx.world.dm_with(self.ctx.world.user(user_id).id).id

    def set_permissions(self, channel_id: int, *, target_id: int | None = None, allow: int = 0, deny: int = 0) -> None:
        """Set a channel overwrite for ``target_id`` (a role or user; the bot by default)."""
        channel = self.ctx.world.channel(channel_id)
        target = self.ctx.world.bot.id if target_id is None else target_id
        channel.overwrites[target] = (int(allow), int(deny))
        data = channel_json(self.ctx.world, channel)
        self.ctx.hub.dispatch_all("CHANNEL_UPDATE", data, guild_id=channel.guild_id, intent=Intent.GUILDS)

    def deny(self, channel_id: int, permissions: int) -> None:
        """Deny the bot ``permissions`` in a channel (and in its threads)."""
        allow, deny = self.ctx.world.channel(channel_id).overwrites.get(self.ctx.world.bot.id, (0, 0))
        self.set_permissions(channel_id, allow=allow & ~permissions, deny=deny | permissions)

    # Users acting.

    def run_command(
        self, name: str, *, user_id: int, channel_id: int, options: Mapping[str, Any] | None = None
    ) -> InteractionState:
        return events.run_command(self.ctx, name=name, options=options or {}, user_id=user_id, channel_id=channel_id)

    def run_message_command(self, name: str, *, user_id: int, message_id: int) -> InteractionState:
        """``user_id`` picks the message command ``name`` on ``message_id`` (a message they see)."""
        return events.run_message_command(self.ctx, name=name, message_id=message_id, user_id=user_id)

    def redeliver(self, interaction: InteractionState) -> None:
        """Deliver the same INTERACTION_CREATE again (Discord sometimes does)."""
        events.deliver_interaction(self.ctx, interaction)

    def press_button(self, message_id: int, custom_id: str, *, user_id: int) -> InteractionState:
        """``user_id`` clicks a button of a message they see (LookupError if it is not there, or disabled)."""
        return events.press_button(self.ctx, message_id=message_id, custom_id=custom_id, user_id=user_id)

    def choose(self, message_id: int, custom_id: str, values: Sequence[str], *, user_id: int) -> InteractionState:
        """``user_id`` picks ``values`` in a string select of a message they see."""
        return events.choose(self.ctx, message_id=message_id, custom_id=custom_id, values=values, user_id=user_id)

    def send_message(self, channel_id: int, content: str, *, user_id: int) -> int:
        return events.user_message(self.ctx, user_id=user_id, channel_id=channel_id, content=content).id

    def add_reaction(self, channel_id: int, message_id: int, emoji: str, *, user_id: int) -> None:
        events.user_reaction(
            self.ctx, user_id=user_id, channel_id=channel_id, message_id=message_id, emoji=emoji, add=True
        )

    def remove_reaction(self, channel_id: int, message_id: int, emoji: str, *, user_id: int) -> None:
        events.user_reaction(
            self.ctx, user_id=user_id, channel_id=channel_id, message_id=message_id, emoji=emoji, add=False
        )

    # The gateway.

    async def drop_connections(self, *, code: int | None = 4000) -> int:
        """Close every live gateway connection (4000 lets the client RESUME; None drops TCP with no close frame)."""
        sockets = list(self.ctx.hub.connected)
        for socket in sockets:
            if code is None:
                socket.abort()
            else:
                await socket.close(code, "Dropped by the test")
        return len(sockets)

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client should reconnect and RESUME."""
        for socket in self.ctx.hub.connected:
            socket.send_op(RECONNECT)

    def invalidate_sessions(self) -> None:
        """Send op 9 INVALID_SESSION (not resumable) and forget the sessions: the client must IDENTIFY again."""
        for socket in self.ctx.hub.connected:
            socket.send_op(INVALID_SESSION, False)
        self.ctx.hub.sessions.clear()

    # Waiting.

    async def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 5.0, what: str = "condition") -> None:  # noqa: ASYNC109 - the TimeoutError names what never came
        await self.ctx.recorder.wait_until(predicate, timeout=timeout, what=what)

    async def wait_for_messages(self, channel_id: int, count: int, *, timeout: float = 5.0) -> list[PostedMessage]:  # noqa: ASYNC109 - the TimeoutError names what never came
        return await self.ctx.recorder.wait_for_messages(channel_id, count, timeout=timeout)

    async def wait_for_connections(self, count: int, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - the TimeoutError names what never came
        """Wait until ``count`` gateway connections have identified or resumed in total."""
        what = f"{count} gateway connections"
        await self.wait_until(lambda: len(self.ctx.recorder.connections) >= count, timeout=timeout, what=what)
