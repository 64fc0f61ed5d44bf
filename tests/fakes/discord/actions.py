"""What changes the fake's world: messages, threads and reactions. Each change is recorded and dispatched."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from .hub import Hub, Intent, Session
from .mentions import resolve_pings
from .payloads import channel_json, emoji_json, member_json, message_json
from .permissions import Permission
from .records import MessageEvent, PostedMessage, ReactionEvent, Recorder, ThreadCreated
from .snowflakes import iso_now
from .world import Channel, Message, World

__all__ = ["Actions"]

EPHEMERAL = 1 << 6
HAS_THREAD = 1 << 5  # the message has a thread started from it, with the message's id


class Actions:
    def __init__(self, *, world: World, recorder: Recorder, hub: Hub) -> None:
        self.world = world
        self.recorder = recorder
        self.hub = hub

    def snapshot(self, message: Message) -> PostedMessage:
        return PostedMessage(
            id=message.id,
            channel_id=message.channel_id,
            author_id=message.author_id,
            content=message.content,
            embeds=tuple(message.embeds),
            allowed_mentions=message.allowed_mentions,
            flags=message.flags,
            source=message.source,  # type: ignore[arg-type]
            interaction_id=message.interaction_id,
            mentions=tuple(message.mentions),
            mention_roles=tuple(message.mention_roles),
            mention_everyone=message.mention_everyone,
            attachments=tuple(a["filename"] for a in message.attachments),
            files=tuple((a["filename"], a.get("data", b"")) for a in message.attachments),
            reply_to=message.reference_id,
            edited=message.edited_timestamp is not None,
            components=tuple(message.components),
            visible_to=message.visible_to,
        )

    def _apply_body(self, message: Message, body: Mapping[str, Any]) -> None:
        """Take content, embeds and components from ``body``. New content is parsed for pings under the body's own
        ``allowed_mentions`` (absent means Discord's default: everything in the text pings)."""
        if "embeds" in body:
            message.embeds = list(body["embeds"] or [])
        if "components" in body:
            message.components = list(body["components"] or [])
        if "content" not in body:
            return
        message.content = body["content"] or ""
        message.allowed_mentions = body.get("allowed_mentions")
        channel = self.world.channel(message.channel_id)
        guild = self.world.guilds.get(channel.guild_id or 0)
        may_everyone = message.webhook_id is not None or bool(
            self.world.permissions(message.author_id, channel.id) & Permission.MENTION_EVERYONE
        )
        pings = resolve_pings(
            message.content,
            message.allowed_mentions,
            users=self.world.users.keys(),
            roles=guild.roles.keys() if guild else (),
            may_mention_everyone=may_everyone,
        )
        message.mentions, message.mention_roles = list(pings.users), list(pings.roles)
        message.mention_everyone = pings.everyone

    def create_message(self, *, channel_id: int, author_id: int, body: Mapping[str, Any], **fields: Any) -> Message:
        """Post a message. ``fields`` sets Message attributes such as flags, source, webhook_id, type."""
        message = Message(id=self.world.ids.next(), channel_id=channel_id, author_id=author_id, **fields)
        self._apply_body(message, body)
        self.world.messages[message.id] = message
        channel = self.world.channel(channel_id)
        channel.last_message_id = message.id
        channel.message_count += 1
        self.recorder.add(self.recorder.message_events, MessageEvent("create", self.snapshot(message)))
        self._dispatch_message("MESSAGE_CREATE", message)
        return message

    def edit_message(
        self,
        message: Message,
        body: Mapping[str, Any],
        *,
        flags: int | None = None,
        attachments: list[dict[str, Any]] | None = None,
    ) -> Message:
        """Apply an edit; ``attachments``: the message's attachments after it (``None``: unchanged)."""
        self._apply_body(message, body)
        if flags is not None:
            message.flags = flags
        if attachments is not None:
            message.attachments = attachments
        message.edited_timestamp = iso_now()
        self.recorder.add(self.recorder.message_events, MessageEvent("edit", self.snapshot(message)))
        self._dispatch_message("MESSAGE_UPDATE", message)
        return message

    def delete_message(self, message: Message) -> None:
        message.deleted = True
        self.recorder.add(self.recorder.message_events, MessageEvent("delete", self.snapshot(message)))
        data = {"id": str(message.id), "channel_id": str(message.channel_id)}
        guild_id = self.world.channel(message.channel_id).guild_id
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        if not message.flags & EPHEMERAL:
            intent = self._intent(message.channel_id, reactions=False)
            self.hub.dispatch_all("MESSAGE_DELETE", data, guild_id=guild_id, intent=intent)

    def _intent(self, channel_id: int, *, reactions: bool) -> int:
        dm = self.world.channel(channel_id).guild_id is None
        if reactions:
            return Intent.DIRECT_MESSAGE_REACTIONS if dm else Intent.GUILD_MESSAGE_REACTIONS
        return Intent.DIRECT_MESSAGES if dm else Intent.GUILD_MESSAGES

    def _dispatch_message(self, event: str, message: Message) -> None:
        if message.flags & EPHEMERAL:
            return
        intent = self._intent(message.channel_id, reactions=False)
        channel = self.world.channel(message.channel_id)

        def build(session: Session) -> dict[str, Any] | None:
            if not session.has(intent):
                return None
            visible = (
                session.has(Intent.MESSAGE_CONTENT)
                or channel.guild_id is None
                or message.author_id == self.world.bot.id
                or self.world.bot.id in message.mentions
            )
            data = message_json(self.world, message, content_visible=visible)
            guild = self.world.guilds.get(channel.guild_id or 0)
            if guild is not None and message.author_id in guild.members:
                data["member"] = member_json(self.world, guild, message.author_id, with_user=False)
            return data

        self.hub.dispatch(event, build, guild_id=channel.guild_id)

    def create_thread(
        self, *, parent: Channel, name: str, type: int, owner_id: int, message: Message | None
    ) -> Channel:
        thread = self.world.add_channel(  # as on Discord, a thread started from a message has the message's id
            channel_id=message.id if message is not None else None,
            type=type,
            name=name,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=owner_id,
        )
        if message is not None:
            message.thread_id = thread.id
            message.flags |= HAS_THREAD
        record = ThreadCreated(
            id=thread.id,
            parent_id=parent.id,
            message_id=message.id if message else None,
            name=name,
            type=type,
            owner_id=owner_id,
        )
        self.recorder.add(self.recorder.threads, record)
        data = channel_json(self.world, thread) | {"newly_created": True}
        self.hub.dispatch_all("THREAD_CREATE", data, guild_id=thread.guild_id, intent=Intent.GUILDS)
        return thread

    def react(self, message: Message, emoji: str, user_id: int, *, add: bool) -> None:
        """Add or remove one user's reaction; like Discord, repeating an add or a remove changes nothing."""
        users = message.reactions.setdefault(emoji, [])
        if (user_id in users) == add:
            return
        (users.append if add else users.remove)(user_id)
        action: Literal["add", "remove"] = "add" if add else "remove"
        record = ReactionEvent(action, message.channel_id, message.id, emoji, user_id)
        self.recorder.add(self.recorder.reactions, record)
        channel = self.world.channel(message.channel_id)
        data: dict[str, Any] = {
            "user_id": str(user_id),
            "channel_id": str(channel.id),
            "message_id": str(message.id),
            "emoji": emoji_json(emoji),
            "burst": False,
            "type": 0,
        }
        guild = self.world.guilds.get(channel.guild_id or 0)
        if guild is not None:
            data["guild_id"] = str(guild.id)
            if add and user_id in guild.members:
                data["member"] = member_json(self.world, guild, user_id)
        if add:
            data.update(message_author_id=str(message.author_id), burst_colors=[])
        event = "MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE"
        intent = self._intent(channel.id, reactions=True)
        self.hub.dispatch_all(event, data, guild_id=channel.guild_id, intent=intent)
