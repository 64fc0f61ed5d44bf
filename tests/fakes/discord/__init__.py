"""A fake Discord (REST API v10 + gateway websocket) that the real discord.py client runs against.

Start it in the test's loop (or in a thread with :class:`ThreadedFakeDiscord`) and point discord.py at it::

    async with FakeDiscord(rate_window=0.2) as fake:
        apply_endpoints(api_base=fake.api_base, gateway_url=fake.gateway_url)   # adapters.discord.endpoints
        guild = fake.add_guild()
        channel = fake.add_text_channel(guild)
        alice = fake.add_user("alice", guilds=[guild])
        client = ...  # discord.Client / commands.Bot; await client.login(fake.token); connect in a task
        interaction = fake.run_command("think", user_id=alice, channel_id=channel, options={"question": "2+2?"})
        await fake.wait_for_messages(channel, 2)
        fake.record.messages(channel)            # PostedMessage: content, embeds, allowed_mentions, flags, pings
        fake.record.threads, fake.record.reactions, fake.record.callbacks, fake.record.count_429
        fake.press_button(message_id, "custom:id", user_id=bob)   # a click: a type 3 interaction on the gateway
        fake.record.seen_by(channel, bob)        # what bob sees: everyone's messages and the ephemeral ones for him

Like Discord:
- REST: users/@me, oauth2/applications/@me, gateway/bot, guilds, guild members and channels, DM channels, command bulk
  overwrite and listing (global and guild), channel messages (create, edit, get, delete, replies, files),
  reactions (and who reacted), threads (public from a message, taking its id, one per message (else 400 160004);
  private without one; none in DMs), interaction
  callbacks (4, 5, 6, 7; a second one is 400 40060; later than ``callback_deadline`` is 404 10062) and the follow-up
  webhook (the first follow-up after a deferral fills in the "thinking" message; tokens last ``interaction_ttl``).
- Message commands (type 3, in a message's Apps menu): registered by the same bulk overwrite (a name of 1 to 32
  characters, spaces allowed; no description, no options, else 400 50035); ``run_message_command(name,
  user_id=, message_id=)`` sends an APPLICATION_COMMAND interaction with ``data.target_id`` and the message in
  ``data.resolved.messages``, its content included without the message-content intent.
- Components (see ``components``): classic action rows and buttons or selects, and Components V2 messages (flag
  1 << 15: no content or embeds, at most 40 components and 4,000 characters of text; the flag cannot be taken off),
  kept on the message and refused past Discord's limits with 400 50035. A click (``press_button``, ``choose``) must
  name an enabled component of a message the user sees; its interaction answers with 4 (a message; ephemeral, flag
  64, only the clicker sees it), 5, 6 (later edits of ``@original`` edit the clicked message) or 7 (updates it), in
  3 s. An ephemeral message is reachable only through its interaction's webhook and takes no reactions.
- Bodies are checked (content 2,000 chars, embed description 4,096, embed total 6,000, empty message 50006;
  uploads: 10 files, ``upload_limit`` bytes each (default 10 MiB), 25 MiB a request, else 413 40005),
  permissions are checked per channel (threads inherit; ``deny()`` gives 403 50013), and ``allowed_mentions``
  decides who a message pings (``PostedMessage.mentions``, ``mention_roles``, ``mention_everyone``).
- Rate limits: X-RateLimit-* headers on every routed call, ``message_limit`` per ``rate_window`` per channel
  (a thread is a channel) for creates and edits, 429 with ``retry_after``/Retry-After when overrun.
- Gateway: HELLO, IDENTIFY -> READY and GUILD_CREATE, heartbeat ACKs, RESUME with replay from the sequence
  number, intents (MESSAGE_CONTENT blanks others' messages that do not mention the bot), json encoding with
  or without zlib-stream. The bot's own messages, threads and reactions come back as gateway events.
- Shards (see ``gateway`` and ``hub``): ``GET /gateway/bot`` recommends ``shards`` with a session start limit
  (``max_concurrency``); IDENTIFY's ``shard: [shard_id, num_shards]`` is checked (4010 Invalid shard; 4011 Sharding
  required past ``guilds_per_shard`` guilds on one session); a guild's events reach only the sessions of its shard,
  ``(guild_id >> 22) % num_shards``, and events without a guild (DMs) only shard 0. ``add_guild(shard=(1, 2))``
  makes a guild on a chosen shard; ``record.connections`` shows each session's shard.

``reply_delays`` holds a route's REST answer back after its change went out on the gateway (a slow network).

Tokens never appear in records or logs (interaction tokens are masked in recorded paths).
"""

from .permissions import Permission
from .ratelimits import Rule
from .records import (
    CallbackRecord,
    GatewayConnection,
    MessageEvent,
    PostedMessage,
    ReactionEvent,
    Recorder,
    RequestRecord,
    ThreadCreated,
)
from .server import FAKE_TOKEN, FakeDiscord, default_rules
from .threaded import ThreadedFakeDiscord

__all__ = [
    "FAKE_TOKEN",
    "CallbackRecord",
    "FakeDiscord",
    "GatewayConnection",
    "MessageEvent",
    "Permission",
    "PostedMessage",
    "ReactionEvent",
    "Recorder",
    "RequestRecord",
    "Rule",
    "ThreadCreated",
    "ThreadedFakeDiscord",
    "default_rules",
]
