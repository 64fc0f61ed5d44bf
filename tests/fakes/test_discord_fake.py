"""The fake Discord, proven with the real discord.py client (REST and gateway) on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiohttp
import discord
import pytest
from discord import app_commands

from adapters.discord.endpoints import DISCORD_ENDPOINTS, apply_endpoints, current_endpoints
from tests.fakes.discord import FakeDiscord, Permission, ThreadedFakeDiscord
from tests.fakes.discord.harness import connected, pointed_at

pytestmark = pytest.mark.timeout(20)

WINDOW = 0.2  # the per-channel rate window for most tests: 5 messages per 0.2 s

Behaviour = Callable[[discord.Interaction, str], Awaitable[None]]


class ThinkBot(discord.Client):
    """A small bot the way the adapter will be built: /think in a tree synced in setup_hook, no pings."""

    def __init__(self, behaviour: Behaviour) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
        )
        self.tree = app_commands.CommandTree(self)
        self.behaviour = behaviour
        self.errors: list[BaseException] = []
        self.runs = 0

        @self.tree.command(name="think", description="Think step by step")
        @app_commands.describe(question="What to think about")
        async def think(interaction: discord.Interaction, question: str, private: bool = False) -> None:
            self.runs += 1
            try:
                await self.behaviour(interaction, question)
            except Exception as exc:
                self.errors.append(exc)

    async def setup_hook(self) -> None:
        await self.tree.sync()


async def header_thread_steps(interaction: discord.Interaction, question: str, steps: int = 3) -> None:
    await interaction.response.defer()
    header = await interaction.edit_original_response(content=f"**{question}** asked by {interaction.user.mention}")
    thread = await header.create_thread(name=question[:100])
    for number in range(1, steps + 1):
        await thread.send(f"Step {number} @everyone <@&{interaction.guild_id}>")


@dataclass(frozen=True, slots=True)
class Place:
    guild: int
    channel: int
    alice: int


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(rate_window=WINDOW) as server:
        yield server


@pytest.fixture
def place(fake: FakeDiscord) -> Place:
    guild = fake.add_guild("Thinkers")
    channel = fake.add_text_channel(guild, "general")
    return Place(guild=guild, channel=channel, alice=fake.add_user("alice", guilds=[guild]))


async def test_connects_with_zlib_stream_and_sees_the_guild(fake: FakeDiscord, place: Place) -> None:
    bot = ThinkBot(header_thread_steps)
    async with connected(bot, fake):
        guild = bot.get_guild(place.guild)
        assert guild is not None
        assert (guild.name, guild.unavailable) == ("Thinkers", False)
        assert [c.id for c in guild.text_channels] == [place.channel]
        assert bot.user == guild.me
        assert guild.me.id == fake.bot_id
        await fake.wait_until(lambda: bot.latency < 1.0, what="a heartbeat ACK")
    [connection] = fake.record.connections
    assert (connection.opened_with, connection.encoding, connection.compress) == ("identify", "json", "zlib-stream")


async def test_setup_hook_sync_registers_think(fake: FakeDiscord, place: Place) -> None:
    async with connected(ThinkBot(header_thread_steps), fake):
        pass
    paths = [(r.method, r.path) for r in fake.record.requests]
    assert ("PUT", f"/api/v10/applications/{fake.application_id}/commands") in paths
    [think] = fake.ctx.commands.listing(None)
    assert think["name"] == "think"
    assert [(o["name"], o["required"]) for o in think["options"]] == [("question", True), ("private", False)]


async def test_think_defers_posts_header_thread_and_steps_without_pings(fake: FakeDiscord, place: Place) -> None:
    bot = ThinkBot(header_thread_steps)
    async with connected(bot, fake):
        interaction = fake.run_command(
            "think", user_id=place.alice, channel_id=place.channel, options={"question": "2+2?"}
        )
        await fake.wait_until(lambda: len(fake.record.threads) == 1, what="a thread")
        thread = fake.record.threads[0].id
        steps = await fake.wait_for_messages(thread, 3)
    assert not bot.errors
    assert [(c.type, c.status) for c in fake.record.callbacks] == [(5, 200)]
    [header] = fake.record.messages(place.channel)
    assert header.content == f"**2+2?** asked by <@{place.alice}>"
    assert (header.interaction_id, header.loading, header.edited) == (interaction.id, False, True)
    assert (fake.record.threads[0].message_id, fake.record.threads[0].type) == (header.id, 11)
    assert [m.content.split(" @")[0] for m in steps] == ["Step 1", "Step 2", "Step 3"]
    for message in [header, *steps]:
        assert message.allowed_mentions == {"parse": []}
        assert (message.mentions, message.mention_roles, message.mention_everyone) == ((), (), False)


async def test_pings_follow_allowed_mentions(fake: FakeDiscord, place: Place) -> None:
    async def ping_everyone(interaction: discord.Interaction, question: str) -> None:
        await interaction.response.send_message("hi @everyone", allowed_mentions=discord.AllowedMentions.all())

    async with connected(ThinkBot(ping_everyone), fake):
        fake.run_command("think", user_id=place.alice, channel_id=place.channel, options={"question": "q"})
        [message] = await fake.wait_for_messages(place.channel, 1)
    assert message.mention_everyone
    assert message.allowed_mentions is not None
    assert message.allowed_mentions["parse"] == ["everyone", "users", "roles"]


async def test_too_long_content_and_embed_are_refused(fake: FakeDiscord, place: Place) -> None:
    bot = ThinkBot(header_thread_steps)
    async with connected(bot, fake):
        channel = bot.get_partial_messageable(place.channel)
        await channel.send("x" * 2000)
        with pytest.raises(discord.HTTPException) as content_error:
            await channel.send("x" * 2001)
        with pytest.raises(discord.HTTPException) as embed_error:
            await channel.send(embed=discord.Embed(description="y" * 4097))
    assert (content_error.value.status, content_error.value.code) == (400, 50035)
    assert "2000 or fewer" in content_error.value.text
    assert (embed_error.value.status, embed_error.value.code) == (400, 50035)
    assert [len(m.content) for m in fake.record.messages(place.channel)] == [2000]


async def test_twelve_steps_in_a_thread_are_paced_by_the_headers(fake: FakeDiscord, place: Place) -> None:
    times: list[float] = []

    async def twelve(interaction: discord.Interaction, question: str) -> None:
        times.append(time.perf_counter())
        await header_thread_steps(interaction, question, steps=12)
        times.append(time.perf_counter())

    async with connected(ThinkBot(twelve), fake):
        fake.run_command("think", user_id=place.alice, channel_id=place.channel, options={"question": "long"})
        await fake.wait_until(lambda: len(fake.record.threads) == 1, what="a thread")
        await fake.wait_for_messages(fake.record.threads[0].id, 12)
    assert fake.record.count_429 == 0
    assert times[1] - times[0] >= 2 * WINDOW  # 12 messages at 5 per window: discord.py waited for two resets


async def test_overrunning_a_channel_gets_429_with_retry_after(fake: FakeDiscord, place: Place) -> None:
    url = f"{fake.api_base}/channels/{place.channel}/messages"
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as session:
        statuses = []
        for number in range(6):
            async with session.post(url, json={"content": str(number)}, headers=headers) as response:
                statuses.append(response.status)
                last_headers, last_body = response.headers, await response.json()
    assert statuses == [200] * 5 + [429]
    assert last_body["global"] is False
    assert 0 < last_body["retry_after"] <= WINDOW
    assert (last_headers["X-RateLimit-Remaining"], last_headers["Retry-After"]) == ("0", "1")
    assert last_headers["Via"]
    assert fake.record.count_429 == 1


async def test_missing_thread_permission_and_dm_threads_are_refused(fake: FakeDiscord, place: Place) -> None:
    fake.deny(place.channel, Permission.CREATE_PUBLIC_THREADS)
    errors: list[Exception] = []

    async def try_thread(interaction: discord.Interaction, question: str) -> None:
        await interaction.response.defer()
        header = await interaction.edit_original_response(content=question)
        try:
            await header.create_thread(name=question)
        except (discord.HTTPException, ValueError) as exc:
            errors.append(exc)
        if interaction.guild is None:  # discord.py refuses DM threads itself; ask the API directly too
            with pytest.raises(discord.HTTPException) as refused:
                await bot.http.start_thread_with_message(
                    header.channel.id, header.id, name="x", auto_archive_duration=60
                )
            errors.append(refused.value)
        await interaction.followup.send("no thread", ephemeral=True)

    bot = ThinkBot(try_thread)
    dm = fake.dm_channel(place.alice)
    async with connected(bot, fake):
        fake.run_command("think", user_id=place.alice, channel_id=place.channel, options={"question": "guild"})
        await fake.wait_for_messages(place.channel, 2)
        fake.run_command("think", user_id=place.alice, channel_id=dm, options={"question": "dm"})
        await fake.wait_for_messages(dm, 2)
    assert not bot.errors
    codes = [(type(e), getattr(e, "code", None)) for e in errors]
    assert codes == [(discord.Forbidden, 50013), (ValueError, None), (discord.HTTPException, 50024)]
    assert [m.ephemeral for m in fake.record.messages(place.channel)] == [False, True]
    assert not fake.record.threads


async def test_duplicate_delivery_is_refused_by_the_callback(fake: FakeDiscord, place: Place) -> None:
    bot = ThinkBot(lambda interaction, question: interaction.response.send_message(question))
    async with connected(bot, fake):
        interaction = fake.run_command(
            "think", user_id=place.alice, channel_id=place.channel, options={"question": "q"}
        )
        await fake.wait_for_messages(place.channel, 1)
        fake.redeliver(interaction)
        await fake.wait_until(lambda: len(fake.record.callbacks) == 2, what="a second callback")
        await fake.wait_until(lambda: bool(bot.errors), what="the handler's error")
    assert [(c.type, c.status) for c in fake.record.callbacks] == [(4, 200), (4, 400)]
    [error] = bot.errors
    assert isinstance(error, discord.HTTPException)
    assert error.code == 40060
    assert len(fake.record.messages(place.channel)) == 1
    assert interaction.token not in repr(fake.record.requests)


async def test_late_callback_and_expired_token() -> None:
    clock = ManualClock()
    async with FakeDiscord(clock=clock, rate_window=WINDOW) as server:
        guild = server.add_guild()
        channel = server.add_text_channel(guild)
        alice = server.add_user("alice", guilds=[guild])

        async def slow(interaction: discord.Interaction, question: str) -> None:
            clock.now += 3.5  # past the 3-second rule
            await interaction.response.defer()

        async def expired(interaction: discord.Interaction, question: str) -> None:
            await interaction.response.defer()
            clock.now += 901  # past 15 minutes
            await interaction.followup.send("too late")

        bot = ThinkBot(slow)
        async with connected(bot, server):
            server.run_command("think", user_id=alice, channel_id=channel, options={"question": "q"})
            await server.wait_until(lambda: len(bot.errors) == 1, what="the late defer to fail")
            bot.behaviour = expired
            server.run_command("think", user_id=alice, channel_id=channel, options={"question": "q"})
            await server.wait_until(lambda: len(bot.errors) == 2, what="the expired follow-up to fail")
    assert [(type(e), e.code) for e in bot.errors] == [(discord.NotFound, 10062), (discord.HTTPException, 50027)]


@dataclass
class ManualClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_reactions_reach_on_raw_reaction_add_and_remove(fake: FakeDiscord, place: Place) -> None:
    bot = ThinkBot(header_thread_steps)
    async with connected(bot, fake):
        message = await bot.get_partial_messageable(place.channel).send("step")
        added = asyncio.ensure_future(bot.wait_for("raw_reaction_add", check=lambda p: p.user_id == place.alice))
        fake.add_reaction(place.channel, message.id, "🔍", user_id=place.alice)
        add = await asyncio.wait_for(added, 2)
        removed = asyncio.ensure_future(bot.wait_for("raw_reaction_remove"))
        fake.remove_reaction(place.channel, message.id, "🔍", user_id=place.alice)
        remove = await asyncio.wait_for(removed, 2)
    assert (add.message_id, str(add.emoji), add.guild_id, add.member.id) == (message.id, "🔍", place.guild, place.alice)
    assert (remove.message_id, str(remove.emoji), remove.user_id) == (message.id, "🔍", place.alice)
    assert [(r.action, r.user_id) for r in fake.record.reactions] == [("add", place.alice), ("remove", place.alice)]


async def test_a_mention_in_a_thread_arrives_with_content_without_the_intent(fake: FakeDiscord, place: Place) -> None:
    bot = ThinkBot(header_thread_steps)
    async with connected(bot, fake):
        header = await bot.get_partial_messageable(place.channel, type=discord.ChannelType.text).send("header")
        thread = await fake_thread(bot, place, header.id)
        said = asyncio.ensure_future(bot.wait_for("message", check=lambda m: m.author.id == place.alice))
        fake.send_message(thread, "not for the bot", user_id=place.alice)
        plain = await asyncio.wait_for(said, 2)
        said = asyncio.ensure_future(bot.wait_for("message", check=lambda m: m.author.id == place.alice))
        fake.send_message(thread, f"<@{fake.bot_id}> and then?", user_id=place.alice)
        addressed = await asyncio.wait_for(said, 2)
    assert (plain.content, addressed.content) == ("", f"<@{fake.bot_id}> and then?")
    assert isinstance(addressed.channel, discord.Thread)
    assert addressed.channel.parent_id == place.channel
    assert bot.user in addressed.mentions


async def fake_thread(bot: discord.Client, place: Place, message_id: int) -> int:
    """Start a thread through discord.py and wait until THREAD_CREATE has put it in the client's cache."""
    guild = bot.get_guild(place.guild)
    assert guild is not None
    channel = guild.get_channel(place.channel)
    assert isinstance(channel, discord.TextChannel)
    created = asyncio.ensure_future(bot.wait_for("thread_create"))
    thread = await channel.get_partial_message(message_id).create_thread(name="steps")
    await asyncio.wait_for(created, 2)
    assert guild.get_thread(thread.id) is not None
    return thread.id


async def test_messages_reactions_and_private_threads_round_trip(fake: FakeDiscord, place: Place) -> None:
    bot = ThinkBot(header_thread_steps)
    async with connected(bot, fake):
        channel = await bot.fetch_channel(place.channel)
        assert isinstance(channel, discord.TextChannel)
        assert (await bot.fetch_guild(place.guild)).name == "Thinkers"
        message = await channel.send("collapsed")
        await message.add_reaction("🔍")
        await message.edit(content="expanded")
        fetched = await channel.fetch_message(message.id)
        await message.remove_reaction("🔍", discord.Object(id=fake.bot_id))
        private = await channel.create_thread(name="private")
        await message.delete()
    assert fetched.content == "expanded"
    assert [(e.action, e.message.content) for e in fake.record.history(place.channel)] == [
        ("create", "collapsed"),
        ("edit", "expanded"),
        ("delete", "expanded"),
    ]
    assert [(r.action, r.emoji) for r in fake.record.reactions] == [("add", "🔍"), ("remove", "🔍")]
    assert (private.type, fake.record.threads[0].type, fake.record.threads[0].message_id) == (
        discord.ChannelType.private_thread,
        12,
        None,
    )
    assert fake.record.messages(place.channel) == []


@pytest.mark.parametrize("code", [4000, None], ids=["close-4000", "tcp-drop"])
async def test_dropped_connection_resumes_and_replays_missed_events(
    fake: FakeDiscord, place: Place, code: int | None
) -> None:
    bot = ThinkBot(header_thread_steps)
    async with connected(bot, fake):
        message = await bot.get_partial_messageable(place.channel).send("step")
        resumed = asyncio.ensure_future(bot.wait_for("resumed"))
        reaction = asyncio.ensure_future(bot.wait_for("raw_reaction_add", check=lambda p: p.user_id == place.alice))
        assert await fake.drop_connections(code=code) == 1
        fake.add_reaction(place.channel, message.id, "⏹️", user_id=place.alice)  # while nobody is connected
        await asyncio.wait_for(resumed, 5)
        payload = await asyncio.wait_for(reaction, 2)
    assert str(payload.emoji) == "⏹️"
    assert [(c.opened_with, c.path) for c in fake.record.connections] == [
        ("identify", "/gateway/"),
        ("resume", "/gateway/resume/"),
    ]


async def test_reconnect_request_resumes_and_invalid_session_identifies_again(fake: FakeDiscord, place: Place) -> None:
    bot = ThinkBot(header_thread_steps)

    async def no_pause(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before identifying again; its documented hook lets a test skip that."""

    bot.before_identify_hook = no_pause  # type: ignore[method-assign]
    async with connected(bot, fake):
        resumed = asyncio.ensure_future(bot.wait_for("resumed"))
        fake.request_reconnect()
        await asyncio.wait_for(resumed, 5)
        ready = asyncio.ensure_future(bot.wait_for("ready"))
        fake.invalidate_sessions()
        await asyncio.wait_for(ready, 5)
        assert bot.get_guild(place.guild) is not None
    assert [c.opened_with for c in fake.record.connections] == ["identify", "resume", "identify"]


async def test_auto_sharded_client_finds_the_gateway_through_gateway_bot(fake: FakeDiscord, place: Place) -> None:
    bot = discord.AutoShardedClient(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    async with pointed_at(fake):
        apply_endpoints(api_base=fake.api_base, gateway_url="ws://127.0.0.1:9/nowhere/")  # only /gateway/bot knows
        await bot.login(fake.token)
        runner = asyncio.create_task(bot.connect())
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 5)
            assert [g.id for g in bot.guilds] == [place.guild]
        finally:
            await bot.close()
            await runner
    assert ("GET", "/api/v10/gateway/bot") in [(r.method, r.path) for r in fake.record.requests]


async def test_guild_synced_command_and_buttons(fake: FakeDiscord, place: Place) -> None:
    class Expand(discord.ui.View):
        @discord.ui.button(label="Expand", custom_id="expand")
        async def expand(self, interaction: discord.Interaction, button: discord.ui.Button[Expand]) -> None:
            await interaction.response.edit_message(content="expanded")

        @discord.ui.button(label="Later", custom_id="later")
        async def later(self, interaction: discord.Interaction, button: discord.ui.Button[Expand]) -> None:
            await interaction.response.defer()

    async def with_buttons(interaction: discord.Interaction, question: str) -> None:
        await interaction.response.send_message("collapsed", view=Expand())

    bot = ThinkBot(with_buttons)
    bot.setup_hook = lambda: bot.tree.sync(guild=discord.Object(id=place.guild))  # type: ignore[method-assign]
    bot.tree.copy_global_to(guild=discord.Object(id=place.guild))
    async with connected(bot, fake):
        fake.run_command("think", user_id=place.alice, channel_id=place.channel, options={"question": "q"})
        [message] = await fake.wait_for_messages(place.channel, 1)
        fake.press_button(message.id, "later", user_id=place.alice)
        fake.press_button(message.id, "expand", user_id=place.alice)
        await fake.wait_until(lambda: fake.record.messages(place.channel)[0].content == "expanded", what="the edit")
    assert not fake.ctx.commands.listing(None)
    assert [c["name"] for c in fake.ctx.commands.listing(place.guild)] == ["think"]
    assert [(c.type, c.status) for c in fake.record.callbacks] == [(4, 200), (6, 200), (7, 200)]


async def test_dm_interaction_reaches_the_handler_with_a_dm_channel(fake: FakeDiscord, place: Place) -> None:
    seen: list[discord.abc.Messageable | None] = []

    async def reply(interaction: discord.Interaction, question: str) -> None:
        seen.append(interaction.channel)
        await interaction.response.defer(ephemeral=True)
        await interaction.followup.send(f"answer to {question}")

    dm = fake.dm_channel(place.alice)
    async with connected(ThinkBot(reply), fake):
        fake.run_command("think", user_id=place.alice, channel_id=dm, options={"question": "dm?"})
        [message] = await fake.wait_for_messages(dm, 1)
        await fake.wait_until(lambda: not fake.record.messages(dm)[0].loading, what="the deferred reply")
    assert isinstance(seen[0], discord.DMChannel)
    [message] = fake.record.messages(dm)
    assert (message.content, message.ephemeral) == ("answer to dm?", True)


async def test_wrong_token_is_refused(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    async with pointed_at(fake):
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
        await client.close()
    assert "not-the-token" not in repr(fake.record.requests)


def test_threaded_fake_serves_a_client_on_another_loop() -> None:
    async def scenario(running: ThreadedFakeDiscord, place: Place) -> None:
        bot = ThinkBot(lambda interaction, question: interaction.response.send_message(f"re: {question}"))
        async with connected(bot, running.fake):
            options = {"question": "threads?"}
            await running.call(
                running.fake.run_command, "think", user_id=place.alice, channel_id=place.channel, options=options
            )
            await running.call(running.fake.wait_for_messages, place.channel, 1)

    with ThreadedFakeDiscord(fake=FakeDiscord(rate_window=WINDOW)) as running:
        guild = running.run(running.fake.add_guild)
        place = Place(
            guild=guild,
            channel=running.run(running.fake.add_text_channel, guild),
            alice=running.run(running.fake.add_user, "alice", guilds=[guild]),
        )
        asyncio.run(scenario(running, place))
        [message] = running.fake.record.messages(place.channel)
    assert message.content == "re: threads?"


def test_apply_endpoints_sets_both_addresses_and_returns_the_previous() -> None:
    before = current_endpoints()
    previous = apply_endpoints(api_base="http://127.0.0.1:9/api", gateway_url="ws://127.0.0.1:9/gw/")
    try:
        assert previous == before
        assert current_endpoints().api_base == "http://127.0.0.1:9/api/v10"
        assert current_endpoints().gateway_url == "ws://127.0.0.1:9/gw/"
        with pytest.raises(ValueError, match="ws"):
            apply_endpoints(api_base="http://127.0.0.1:9/api/v10", gateway_url="http://127.0.0.1:9/")
    finally:
        apply_endpoints(api_base=previous.api_base, gateway_url=previous.gateway_url)
    assert current_endpoints() == before == DISCORD_ENDPOINTS


async def test_raw_gateway_without_compression_speaks_the_protocol(fake: FakeDiscord, place: Place) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(fake.gateway_url + "?v=10&encoding=json") as ws:
            assert (await ws.receive_json())["op"] == 10
            await ws.send_json({"op": 1, "d": None})
            assert (await ws.receive_json())["op"] == 11
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}})
            await ws.receive()
            assert ws.close_code == 4004
        async with session.ws_connect(fake.gateway_url + "?v=10&encoding=json") as ws:
            await ws.receive_json()
            await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 1, "properties": {}}})
            ready, guild = await ws.receive_json(), await ws.receive_json()
    assert (ready["t"], ready["s"], guild["t"], guild["s"]) == ("READY", 1, "GUILD_CREATE", 2)
    assert ready["d"]["resume_gateway_url"].endswith("/gateway/resume/")
    assert [c["id"] for c in guild["d"]["channels"]] == [str(place.channel)]
    assert fake.token not in repr(fake) + repr(fake.ctx) + repr(fake.record.connections)
