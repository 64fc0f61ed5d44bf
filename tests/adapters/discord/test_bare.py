"""/think strategy:bare on Discord: the answer once in the header and once in the thread, and nothing to expand."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import Place
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq

pytestmark = pytest.mark.timeout(30)


async def test_a_bare_chain_shows_its_answer_without_steps(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    fake_groq.reply("Two plus two is **4**.")
    async with make_bot() as bot:
        header, thread = await bot.ask(place, "What is 2+2?", strategy="bare")
        await bot.reacted(header.id, "⏹️", add=False)
    assert len(fake_groq.chat_requests) == 1
    assert "**Answer:** Two plus two is **4**." in header.content
    assert "0 steps in" in header.content
    assert "🔍" not in header.content  # no step to expand: no hint, no expand reaction
    assert not [r for r in fake.record.reactions if r.message_id == header.id and r.emoji == "🔍"]
    assert [custom_id.split(":")[1] for custom_id in header.custom_ids()] == ["again"]  # no Steps button
    assert [m.content for m in fake.record.messages(thread)] == ["✅ **Answer**\nTwo plus two is **4**."]
