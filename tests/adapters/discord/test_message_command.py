""" "Think about this message" end to end: the message command is synced with /think, and its chain answers in
the message's thread (a new one, the one it is in, or the one it has), refusals stay private, a redelivery runs
once."""

from __future__ import annotations

import pytest

from adapters.chat.about_message import NO_TEXT, TITLE
from tests.adapters.discord.conftest import Bot, Place, script_chain
from tests.fakes.discord import FakeDiscord, PostedMessage
from tests.fakes.groq_server import FakeGroq

pytestmark = pytest.mark.timeout(30)


def answered(message: PostedMessage) -> bool:
    return "**Answer:**" in message.content


async def settled_in(bot: Bot, channel: int) -> list[PostedMessage]:
    """Wait until a header in ``channel`` shows the answer; everything posted there."""
    what = f"an answered header in {channel}"
    await bot.fake.wait_until(lambda: any(answered(m) for m in bot.fake.record.messages(channel)), what=what)
    await bot.idle()
    return bot.fake.record.messages(channel)


def private_response(fake: FakeDiscord, channel: int, interaction_id: int) -> PostedMessage:
    return next(m for m in fake.record.messages(channel) if m.interaction_id == interaction_id)


async def test_the_message_command_answers_in_a_thread_from_the_message(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2, answer="Rayleigh scattering.")
    async with make_bot() as bot:
        synced = {(c["name"], c["type"]) for c in fake.ctx.commands.listing(None)}
        asked = fake.send_message(place.channel, "Why is the sky blue?", user_id=place.bob)
        interaction = fake.run_message_command(TITLE, user_id=place.alice, message_id=asked)
        thread = await settled_in(bot, asked)  # a thread started from the message has its id
        pointer = private_response(fake, place.channel, interaction.id)
    assert {("think", 1), (TITLE, 3)} <= synced
    assert [(c.interaction_id, c.type, c.data.get("flags")) for c in fake.record.callbacks] == [(interaction.id, 5, 64)]
    [made] = fake.record.threads
    assert (made.id, made.message_id, made.parent_id, made.name) == (
        asked,
        asked,
        place.channel,
        "Why is the sky blue?",
    )
    header, *steps = thread
    assert header.content.startswith(f"🤔 **Why is the sky blue?**\n-# asked by <@{place.alice}>")
    assert answered(header)
    assert "2 steps in" in header.content
    assert steps[-1].content == "✅ **Answer**\nRayleigh scattering."
    assert "Step title 1" in steps[0].content
    assert pointer.ephemeral
    assert pointer.visible_to == place.alice
    assert pointer.content.startswith(f"Thinking about that message in <#{asked}>: ")
    assert str(header.id) in pointer.content
    channel_posts = [m for m in fake.record.messages(place.channel) if not m.ephemeral]
    assert [m.id for m in channel_posts] == [asked]  # nothing else in the channel itself
    for message in thread:
        assert message.allowed_mentions == {"parse": []}


async def test_a_message_in_a_thread_or_with_one_is_answered_in_that_thread(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 1, answer="First.")
    script_chain(fake_groq, 1, answer="Second.")
    script_chain(fake_groq, 1, answer="Third.")  # asked twice: the second time from the cache
    async with make_bot() as bot:
        first = fake.send_message(place.channel, "What is 2+2?", user_id=place.bob)
        fake.run_message_command(TITLE, user_id=place.alice, message_id=first)
        await settled_in(bot, first)
        inside = fake.send_message(first, "And 3+3?", user_id=place.bob)  # a message inside that thread
        fake.run_message_command(TITLE, user_id=place.alice, message_id=inside)
        await fake.wait_until(lambda: sum(map(answered, fake.record.messages(first))) == 2, what="a second answer")
        await bot.idle()
        again = fake.send_message(place.channel, "Ask me again", user_id=place.bob)
        fake.run_message_command(TITLE, user_id=place.alice, message_id=again)
        await settled_in(bot, again)
        fake.run_message_command(TITLE, user_id=place.bob, message_id=again)  # it has a thread now
        await fake.wait_until(lambda: sum(map(answered, fake.record.messages(again))) == 2, what="into its thread")
        await bot.idle()
    assert [t.message_id for t in fake.record.threads] == [first, again]  # no thread made twice
    second_header = next(m for m in fake.record.messages(first) if m.content.startswith("🤔 **And 3+3?**"))
    assert answered(second_header)
    assert second_header.author_id == fake.bot_id


async def test_a_message_without_text_or_too_long_is_refused_privately(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    async with make_bot(max_question_chars=50) as bot:
        blank = fake.send_message(place.channel, "", user_id=place.bob)
        long = fake.send_message(place.channel, "why " * 40, user_id=place.bob)
        empty = fake.run_message_command(TITLE, user_id=place.alice, message_id=blank)
        too_long = fake.run_message_command(TITLE, user_id=place.alice, message_id=long)

        def refused() -> bool:
            texts = [m.content for m in fake.record.messages(place.channel) if m.ephemeral]
            return NO_TEXT in texts and any("the limit is 50" in t for t in texts)

        await fake.wait_until(refused, what="two private refusals")
        await bot.idle()
    assert private_response(fake, place.channel, empty.id).content == NO_TEXT
    refusal = private_response(fake, place.channel, too_long.id)
    assert refusal.ephemeral
    assert "159 characters long; the limit is 50" in refusal.content
    assert not fake.record.threads
    assert not fake_groq.requests
    assert [m.id for m in fake.record.messages(place.channel) if not m.ephemeral] == [blank, long]


async def test_a_redelivered_message_command_is_answered_once(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 1)
    async with make_bot() as bot:
        asked = fake.send_message(place.channel, "Once?", user_id=place.bob)
        interaction = fake.run_message_command(TITLE, user_id=place.alice, message_id=asked)
        fake.redeliver(interaction)
        await settled_in(bot, asked)
    assert [(c.type, c.status) for c in fake.record.callbacks] == [(5, 200), (5, 400)]
    assert len(fake.record.threads) == 1
    assert sum(map(answered, fake.record.messages(asked))) == 1


async def test_in_a_dm_the_answer_replies_to_the_message(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 1, answer="In a DM.")
    dm = fake.dm_channel(place.alice)
    async with make_bot() as bot:
        asked = fake.send_message(dm, "Can you see this?", user_id=place.alice)
        fake.run_message_command(TITLE, user_id=place.alice, message_id=asked)
        posted = await settled_in(bot, dm)
    header = next(m for m in posted if answered(m) and not m.ephemeral)
    assert header.reply_to == asked
    assert not fake.record.threads
    assert any(m.reply_to == header.id and m.content.endswith("In a DM.") for m in posted)
