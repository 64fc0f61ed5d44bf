"""The fake Discord's message commands (type 3) and threads started from a message, proven with real discord.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands

from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.harness import connected

pytestmark = pytest.mark.timeout(20)

NAME = "Think about this message"


class MenuBot(discord.Client):
    """A message command in a tree synced in setup_hook; without the message-content intent."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.seen: list[tuple[int, str, int]] = []
        self.threads: list[int] = []
        self.errors: list[Exception] = []

        async def about(interaction: discord.Interaction, message: discord.Message) -> None:
            self.seen.append((message.id, message.content, interaction.user.id))
            await interaction.response.defer(ephemeral=True, thinking=True)
            try:
                thread = await message.create_thread(name="about it")
                self.threads.append(thread.id)
                await message.create_thread(name="again")
            except discord.HTTPException as exc:
                self.errors.append(exc)
            existing = await message.fetch_thread()
            self.threads.append(existing.id)
            await interaction.edit_original_response(content="done")

        self.tree.add_command(app_commands.ContextMenu(name=NAME, callback=about))

    async def setup_hook(self) -> None:
        await self.tree.sync()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(rate_window=0.2) as server:
        yield server


async def test_a_message_command_is_synced_and_brings_its_message_with_content(fake: FakeDiscord) -> None:
    guild = fake.add_guild()
    channel = fake.add_text_channel(guild)
    alice, bob = fake.add_user("alice", guilds=[guild]), fake.add_user("bob", guilds=[guild])
    bot = MenuBot()
    async with connected(bot, fake):
        [registered] = fake.ctx.commands.listing(None)
        said = fake.send_message(channel, "Why is the sky blue?", user_id=bob)
        interaction = fake.run_message_command(NAME, user_id=alice, message_id=said)
        await fake.wait_until(lambda: bool(fake.record.callbacks) and len(bot.threads) == 2, what="the answer")
    assert (registered["name"], registered["type"], registered.get("description", "")) == (NAME, 3, "")
    assert bot.seen == [(said, "Why is the sky blue?", alice)]  # content, though the intent is off
    assert [(c.interaction_id, c.type) for c in fake.record.callbacks] == [(interaction.id, 5)]
    assert interaction.data["target_id"] == str(said)
    assert bot.threads == [said, said]  # the thread takes the message's id; found again by it
    [error] = bot.errors
    assert (getattr(error, "status", None), getattr(error, "code", None)) == (400, 160004)
    [made] = fake.record.threads
    assert (made.id, made.message_id, made.parent_id) == (said, said, channel)


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ({"name": NAME, "type": 3, "description": "says what"}, "In 0.description"),
        ({"name": NAME, "type": 3, "options": [{"name": "x", "type": 3, "description": "x"}]}, "In 0.options"),
        ({"name": "x" * 33, "type": 3}, "In 0.name"),
    ],
)
async def test_a_message_command_takes_no_description_and_no_options(
    fake: FakeDiscord, command: dict[str, Any], code: str
) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    async with connected(client, fake):
        with pytest.raises(discord.HTTPException) as refused:
            await client.http.bulk_upsert_global_commands(fake.application_id, [command])
        ok = await client.http.bulk_upsert_global_commands(fake.application_id, [{"name": NAME, "type": 3}])
    assert (refused.value.status, refused.value.code) == (400, 50035)
    assert code in str(refused.value.text)
    assert [(c["name"], c["type"]) for c in ok] == [(NAME, 3)]


async def test_an_unsynced_message_command_cannot_be_used(fake: FakeDiscord) -> None:
    guild = fake.add_guild()
    channel = fake.add_text_channel(guild)
    alice = fake.add_user("alice", guilds=[guild])
    said = fake.send_message(channel, "hello", user_id=alice)
    with pytest.raises(LookupError, match="sync the command tree"):
        fake.run_message_command(NAME, user_id=alice, message_id=said)
