"""Where a chain goes: a follow-up in its thread, DMs (replies, no thread), private (ephemeral), and a channel
where the bot may not start threads (replies, and the asker is told which permission is missing)."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import Place, script_chain
from tests.fakes.discord import FakeDiscord, Permission
from tests.fakes.groq_server import FakeGroq

pytestmark = pytest.mark.timeout(30)


async def test_mentioning_the_bot_in_the_thread_asks_a_follow_up_with_context(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2, answer="It is 4.")
    async with make_bot() as bot:
        _, thread = await bot.ask(place, "What is 2+2?")
        before = len(fake_groq.chat_requests)
        script_chain(fake_groq, 2, answer="Then it is 8.")
        fake.send_message(thread, "a plain message the bot ignores", user_id=place.alice)
        asked = fake.send_message(thread, f"<@{fake.bot_id}> and doubled?", user_id=place.bob)
        await fake.wait_until(
            lambda: any("**Answer:** Then it is 8." in m.content for m in fake.record.messages(thread)),
            what="the follow-up's header to show the answer",
        )
        await bot.idle()
    follow_header = next(m for m in fake.record.messages(thread) if m.reply_to == asked)
    assert follow_header.content.startswith(f"🤔 **and doubled?**\n-# asked by <@{place.bob}>")
    assert [m.content for m in fake.record.messages(thread)][-1] == "✅ **Answer**\nThen it is 8."
    first_request = fake_groq.chat_requests[before].messages
    said = "\n".join(str(m.get("content")) for m in first_request)
    assert "What is 2+2?" in said
    assert "It is 4." in said
    assert len(fake.record.threads) == 1


async def test_a_second_follow_up_carries_every_earlier_turn_in_the_thread(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    """As many earlier turns as ``THINKBOT_HISTORY_TURNS`` (3), as on Slack: not only the last one."""
    script_chain(fake_groq, 1, answer="It is 4.")
    async with make_bot() as bot:
        _, thread = await bot.ask(place, "What is 2+2?")
        for number, (text, answer) in enumerate([("and doubled?", "Then 8."), ("and halved?", "Then 4.")], start=1):
            script_chain(fake_groq, 1, answer=answer)
            fake.send_message(thread, f"<@{fake.bot_id}> {text}", user_id=place.alice)
            await fake.wait_until(
                lambda n=number: sum("**Answer:**" in m.content for m in fake.record.messages(thread)) == n,
                what=f"follow-up {number} answered",
            )
            await bot.idle()
    said = [(m["role"], m["content"]) for m in fake_groq.chat_requests[-2].messages if m["role"] != "system"]
    assert said[:5] == [
        ("user", "What is 2+2?"),
        ("assistant", "It is 4."),
        ("user", "and doubled?"),
        ("assistant", "Then 8."),
        ("user", "and halved?"),
    ]


async def test_in_a_dm_the_steps_are_replies(fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot) -> None:
    script_chain(fake_groq, 2)
    dm = fake.dm_channel(place.alice)
    async with make_bot() as bot:
        bot.think(place, "Privately?", channel=dm)
        header = await bot.header_settled(dm)
    messages = fake.record.messages(dm)
    assert not fake.record.threads
    assert messages[0].id == header.id
    assert all(m.reply_to == header.id for m in messages[1:])
    assert "Step title 2" in "\n".join(m.content for m in messages)
    assert messages[-1].content == "✅ **Answer**\nThe answer is 4."
    assert not any(m.ephemeral for m in messages)


async def test_private_shows_full_steps_as_ephemeral_follow_ups(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2)
    async with make_bot() as bot:
        bot.think(place, "Just for me", private=True)
        await bot.header_settled(place.channel)
    messages = fake.record.messages(place.channel)
    assert not fake.record.threads
    assert all(m.ephemeral for m in messages)
    assert "Content of step 1." in "\n".join(m.content for m in messages)  # no reactions on ephemeral: shown whole
    assert not [r for r in fake.record.reactions if r.user_id == fake.bot_id]


@pytest.mark.parametrize(
    ("denied", "named"),
    [
        (Permission.CREATE_PUBLIC_THREADS | Permission.ADD_REACTIONS, ["Create Public Threads", "Add Reactions"]),
        (Permission.SEND_MESSAGES_IN_THREADS, ["Send Messages in Threads"]),
    ],
    ids=["threads-and-reactions", "thread-messages"],
)
async def test_without_thread_permission_steps_are_replies_and_the_asker_is_told(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot, denied: Permission, named: list[str]
) -> None:
    fake.deny(place.channel, denied)
    script_chain(fake_groq, 2)
    async with make_bot() as bot:
        bot.think(place, "No threads here")
        header = await bot.header_settled(place.channel)
    messages = fake.record.messages(place.channel)
    [notice] = [m for m in messages if m.ephemeral]
    assert all(f"**{name}** permission" in notice.content for name in named)
    replies = [m for m in messages if not m.ephemeral and m.id != header.id]
    assert replies
    assert all(m.reply_to == header.id for m in replies)
    assert replies[-1].content == "✅ **Answer**\nThe answer is 4."
    assert not fake.record.threads
    if Permission.ADD_REACTIONS in denied:
        assert not [r for r in fake.record.reactions if r.user_id == fake.bot_id]
    assert [r.status for r in fake.record.requests if r.status >= 400] == []  # it never tried what it may not do
