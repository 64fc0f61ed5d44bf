"""How much one chain may post: a long answer, many slow steps and a flood of full steps all stay within the
thread cap, and what does not fit comes as a file on the last message, with a note; nothing is lost."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import Place, script_chain, step
from tests.fakes.discord import FakeDiscord, PostedMessage
from tests.fakes.groq_server import FakeGroq

pytestmark = pytest.mark.timeout(60)

BIG = "\n\n".join(f"Paragraph {i}: " + "lorem ipsum dolor sit amet " * 30 for i in range(246))  # ~200 KB


def shown(messages: list[PostedMessage]) -> str:
    """What a reader can see: the messages' text and their attached files."""
    files = [data.decode() for m in messages for _, data in m.files]
    return "\n".join([m.content for m in messages] + files)


@pytest.mark.parametrize("fake", [{"message_limit": 50}], indirect=True)
async def test_a_200_kb_answer_is_twelve_messages_and_a_file(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2, answer=BIG)
    async with make_bot(final_max_tokens=65536) as bot:
        bot.think(place, "Say everything")
        header = await bot.header_settled(place.channel, timeout=30)
        messages = fake.record.messages(bot.thread_of(header))
    assert len(messages) == 12
    assert [m.attachments for m in messages[:-1]] == [()] * 11
    last = messages[-1]
    assert last.attachments == ("answer.md",)
    assert "The rest of the answer did not fit here" in last.content
    assert "at most 12 messages" in last.content
    everything = shown(messages)
    assert all(f"Paragraph {i}: " in everything for i in range(246))
    assert "**Answer:**" in header.content


@pytest.mark.parametrize("fake", [{"message_limit": 50}], indirect=True)
async def test_steps_after_their_share_are_folded_into_one_message(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 16, delay=0.05)  # slow enough for each step to go out on its own
    async with make_bot(step_cap=16, discord_thread_messages=8, discord_group_steps=1) as bot:
        _, thread = await bot.ask(place, "Sixteen steps")
        messages = fake.record.messages(thread)
    assert len(messages) == 8
    texts = [m.content for m in messages]
    assert all(f"Step title {n}**" in texts[n - 1] for n in range(1, 7))  # the steps' share: 8 - 2
    assert all(f"Step title {n}**" in texts[6] for n in range(7, 17))  # folded, then shown together
    assert texts[7].startswith("✅ **Answer**")
    assert all(not m.attachments for m in messages)


@pytest.mark.parametrize("fake", [{"message_limit": 100}], indirect=True)
async def test_a_flood_of_full_steps_stays_within_the_cap(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    body = "\n\n".join(f"Line {i} " + "word " * 70 for i in range(60))  # ~21 KB: 11 messages per step
    for index in range(1, 11):
        action = "final_answer" if index == 10 else "continue"
        fake_groq.reply(step(f"Step {index}", f"{body}\nEnd of step {index}.", action))
    fake_groq.reply("Done.")
    async with make_bot(discord_full_steps=True, step_max_tokens=65536, step_cap=10) as bot:
        bot.think(place, "Flood")
        header = await bot.header_settled(place.channel, timeout=40)
        messages = fake.record.messages(bot.thread_of(header))
    assert len(messages) == 12
    assert messages[-1].attachments == ("chain.md",)
    assert "The remaining steps and the answer did not fit here" in messages[-1].content
    everything = shown(messages)
    assert all(f"End of step {n}." in everything for n in range(1, 11))
    assert "Done." in everything
