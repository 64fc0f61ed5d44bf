"""The fake Discord's uploads (Discord's file limits, the bytes kept for tests), guild members, roles made after
start-up and slow replies, proven with the real discord.py client."""

from __future__ import annotations

import asyncio
import io
import time

import discord
import pytest

from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.harness import connected

pytestmark = pytest.mark.timeout(20)

MIB = 1024 * 1024


def _file(size: int, name: str = "answer.md") -> discord.File:
    return discord.File(io.BytesIO(b"x" * size), filename=name)


async def _channel(fake: FakeDiscord) -> tuple[int, int, int]:
    guild = fake.add_guild("Uploads")
    return guild, fake.add_text_channel(guild), fake.add_user("alice", guilds=[guild])


async def test_a_file_is_attached_and_its_bytes_kept_but_never_returned() -> None:
    async with FakeDiscord(rate_window=0.2) as fake:
        _, channel_id, _ = await _channel(fake)
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with connected(client, fake):
            channel = client.get_partial_messageable(channel_id)
            sent = await channel.send("see the file", file=discord.File(io.BytesIO(b"# Answer\n"), "answer.md"))
            fetched = await channel.fetch_message(sent.id)
    [posted] = fake.record.messages(channel_id)
    assert posted.attachments == ("answer.md",)
    assert posted.file("answer.md") == b"# Answer\n"
    assert [(a.filename, a.size) for a in fetched.attachments] == [("answer.md", 9)]


async def test_uploads_over_discords_limits_are_refused() -> None:
    async with FakeDiscord(rate_window=0.2, message_limit=50, upload_limit=2 * MIB) as fake:
        _, channel_id, _ = await _channel(fake)
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with connected(client, fake):
            channel = client.get_partial_messageable(channel_id)
            await channel.send(file=_file(2 * MIB))  # at the limit: fine
            with pytest.raises(discord.HTTPException) as too_big:
                await channel.send(file=_file(2 * MIB + 1))
            with pytest.raises(discord.HTTPException) as too_many:
                await channel.send(files=[_file(10, f"f{n}.md") for n in range(11)])
            await channel.send(files=[_file(10, f"f{n}.md") for n in range(10)])
    assert (too_big.value.status, too_big.value.code) == (413, 40005)
    assert (too_many.value.status, too_many.value.code) == (400, 50035)
    assert [len(m.attachments) for m in fake.record.messages(channel_id)] == [1, 10]


async def test_the_default_upload_limit_is_ten_mib_and_a_request_at_most_25() -> None:
    async with FakeDiscord(rate_window=0.2, message_limit=50) as fake:
        _, channel_id, _ = await _channel(fake)
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with connected(client, fake):
            channel = client.get_partial_messageable(channel_id)
            with pytest.raises(discord.HTTPException) as one_too_big:
                await channel.send(file=_file(10 * MIB + 1))
            with pytest.raises(discord.HTTPException) as request_too_big:
                await channel.send(files=[_file(9 * MIB, f"f{n}.md") for n in range(3)])
            await channel.send(file=_file(10 * MIB))
    assert (one_too_big.value.status, one_too_big.value.code) == (413, 40005)
    assert (request_too_big.value.status, request_too_big.value.code) == (413, 40005)


async def test_a_guild_member_can_be_fetched_and_a_stranger_is_unknown() -> None:
    async with FakeDiscord(rate_window=0.2) as fake:
        guild_id, _, alice = await _channel(fake)
        stranger = fake.add_user("stranger")
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with connected(client, fake):
            guild = client.get_guild(guild_id)
            assert guild is not None
            member = await guild.fetch_member(alice)
            with pytest.raises(discord.NotFound) as unknown:
                await guild.fetch_member(stranger)
    assert (member.id, member.name) == (alice, "alice")
    assert unknown.value.code == 10007


async def test_a_slow_reply_arrives_after_the_gateway_event() -> None:
    async with FakeDiscord(rate_window=0.2, reply_delays={"messages.create": 0.3}) as fake:
        _, channel_id, _ = await _channel(fake)
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with connected(client, fake):
            created = asyncio.ensure_future(client.wait_for("message", check=lambda m: m.channel.id == channel_id))
            started = time.monotonic()
            sent = asyncio.ensure_future(client.get_partial_messageable(channel_id).send("hello"))
            event = await asyncio.wait_for(created, 2)
            event_after = time.monotonic() - started
            message = await sent
            reply_after = time.monotonic() - started
    assert event.id == message.id
    assert event_after < 0.3 <= reply_after


async def test_a_role_made_after_start_up_reaches_the_client() -> None:
    async with FakeDiscord(rate_window=0.2) as fake:
        guild_id, _, _ = await _channel(fake)
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with connected(client, fake):
            created = asyncio.ensure_future(client.wait_for("guild_role_create"))
            role_id = fake.add_role(guild_id, "mods", permissions=1 << 13)
            role = await asyncio.wait_for(created, 2)
    assert (role.id, role.name, role.permissions.manage_messages) == (role_id, "mods", True)


async def test_who_reacted_is_listed_in_id_order_and_counted_on_the_message() -> None:
    async with FakeDiscord(rate_window=0.2) as fake:
        guild_id, channel_id, alice = await _channel(fake)
        bob, carol = fake.add_user("bob", guilds=[guild_id]), fake.add_user("carol", guilds=[guild_id])
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with connected(client, fake):
            channel = client.get_partial_messageable(channel_id)
            sent = await channel.send("react here")
            await sent.add_reaction("🔍")
            for user in (carol, alice, bob):
                fake.add_reaction(channel_id, sent.id, "🔍", user_id=user)
            fake.remove_reaction(channel_id, sent.id, "🔍", user_id=bob)
            [reaction] = (await channel.fetch_message(sent.id)).reactions
            everyone = [user.id async for user in reaction.users()]
            first_two = [user.id async for user in reaction.users(limit=2)]
    assert (reaction.count, reaction.me) == (3, True)
    assert sorted(everyone) == sorted([fake.bot_id, alice, carol])  # Discord lists them by id; discord.py reverses
    assert sorted(first_two) == sorted([fake.bot_id, alice, carol])[:2]
