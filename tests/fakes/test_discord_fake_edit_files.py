"""The fake Discord's Edit Message with files, as discord.py sends it: the ``attachments`` list says what the message
keeps (existing attachments by id, new uploads by index), new uploads need Attach Files; proven with the real client."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator

import discord
import pytest

from tests.fakes.discord import FakeDiscord, Permission
from tests.fakes.discord.harness import connected

pytestmark = pytest.mark.timeout(20)


def _file(data: bytes, name: str) -> discord.File:
    return discord.File(io.BytesIO(data), filename=name)


@contextlib.asynccontextmanager
async def _posted() -> AsyncIterator[tuple[FakeDiscord, int, discord.PartialMessage]]:
    """A running fake, a channel and a message the bot posted there (``short``), to edit."""
    async with FakeDiscord(rate_window=0.2) as fake:
        channel_id = fake.add_text_channel(fake.add_guild("Edits"))
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with connected(client, fake):
            channel = client.get_partial_messageable(channel_id)
            sent = await channel.send("short")
            yield fake, channel_id, channel.get_partial_message(sent.id)


async def test_an_edit_attaches_replaces_and_removes_files() -> None:
    async with _posted() as (fake, channel_id, message):
        attached = await message.edit(content="long, see the file", attachments=[_file(b"all of it", "step-1.md")])
        kept = await message.edit(content="still long", attachments=[*attached.attachments, _file(b"2", "b.md")])
        untouched = await message.edit(content="text only")
        replaced = await message.edit(attachments=[_file(b"new", "step-2.md")])
        cleared = await message.edit(content="short again", attachments=[])
    assert [a.filename for a in attached.attachments] == ["step-1.md"]
    assert [a.filename for a in kept.attachments] == ["step-1.md", "b.md"]
    assert kept.attachments[0].id == attached.attachments[0].id
    assert [a.filename for a in untouched.attachments] == ["step-1.md", "b.md"]
    assert [a.filename for a in replaced.attachments] == ["step-2.md"]
    assert cleared.attachments == []
    edits = [e.message for e in fake.record.history(channel_id) if e.action == "edit"]
    assert edits[0].file("step-1.md") == b"all of it"
    assert (edits[3].content, edits[3].file("step-2.md")) == ("text only", b"new")
    assert (edits[-1].content, edits[-1].attachments) == ("short again", ())


async def test_an_edit_with_a_file_needs_attach_files() -> None:
    async with _posted() as (fake, channel_id, message):
        fake.deny(channel_id, Permission.ATTACH_FILES)
        with pytest.raises(discord.Forbidden) as refused:
            await message.edit(content="x", attachments=[_file(b"x", "x.md")])
        await message.edit(content="text is fine", attachments=[])
    assert (refused.value.status, refused.value.code) == (403, 50013)
    [message] = fake.record.messages(channel_id)
    assert (message.content, message.attachments) == ("text is fine", ())
