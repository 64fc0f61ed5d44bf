"""Refusals and failures: a rate-limited user, a failed chain, a duplicate delivery, a bad strategy."""

from __future__ import annotations

import logging
import uuid

import pytest

from tests.adapters.discord.conftest import Place, script_chain, step
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq

pytestmark = pytest.mark.timeout(30)


async def test_a_rate_limited_user_gets_an_ephemeral_message_with_the_retry_time(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 1)
    async with make_bot(user_rate="1/1m") as bot:
        bot.think(place, "First question")
        await bot.header_settled(place.channel)
        bot.think(place, "Second question")
        await fake.wait_until(lambda: any(m.ephemeral for m in fake.record.messages(place.channel)), what="refusal")
        await bot.idle()
    messages = fake.record.messages(place.channel)
    [refusal] = [m for m in messages if m.ephemeral]
    assert refusal.content.startswith("⚠️ ")
    assert refusal.content.lower().count("try again in ") == 1
    assert len(messages) == 2  # the first header and the refusal; the second "thinking" placeholder is gone
    assert len(fake_groq.chat_requests) == 2
    assert not any(m.loading for m in messages)


async def test_a_failed_chain_says_so_in_the_thread_and_keeps_its_steps(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    fake_groq.reply(step("Start", "s")).reply(step("Middle", "m")).error(400)
    async with make_bot() as bot:
        header, thread = await bot.ask(place, "Doomed")
    texts = [m.content for m in fake.record.messages(thread)]
    shown = "\n".join(texts)
    assert shown.index("Start") < shown.index("Middle")
    assert texts[-1].startswith("⚠️ **The chain stopped:** ")
    assert "The 2 steps above are kept." in texts[-1]
    assert "\n\n⚠️ " in header.content
    assert "**Answer:**" not in header.content


async def test_a_duplicate_interaction_is_answered_once(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2, delay=0.05)
    async with make_bot() as bot:
        interaction = bot.think(place, "Once only")
        await fake.wait_until(lambda: len(fake.record.callbacks) == 1, what="the deferral")
        fake.redeliver(interaction)
        await fake.wait_until(lambda: len(fake.record.callbacks) == 2, what="the second delivery's callback")
        await bot.header_settled(place.channel)
    assert [(c.type, c.status) for c in fake.record.callbacks] == [(5, 200), (5, 400)]
    assert len(fake.record.threads) == 1
    assert len(fake.record.messages(place.channel)) == 1
    assert len(fake_groq.chat_requests) == 3


async def test_an_input_refusal_is_ephemeral(fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot) -> None:
    async with make_bot(max_question_chars=10) as bot:
        with pytest.raises(ValueError, match="does not send 29 characters"):
            bot.think(place, "This question is far too long")  # /think's max_length: the client refuses it
        bot.think(place, " \u200b\u2060 ")  # nothing left once invisible characters go
        await fake.wait_until(lambda: any(m.ephemeral for m in fake.record.messages(place.channel)), what="refusal")
        await bot.idle()
    [message] = fake.record.messages(place.channel)
    assert message.ephemeral
    assert message.content.startswith("⚠️ ")
    assert not fake_groq.chat_requests


async def test_two_replicas_sharing_redis_answer_each_delivery_once(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot, caplog: pytest.LogCaptureFixture
) -> None:
    """Both processes get every gateway event: Discord's callback refuses the second /think, the core's dedupe the
    second copy of a follow-up mention."""
    caplog.set_level(logging.INFO, logger="adapters.discord")
    prefix = f"test{uuid.uuid4().hex[:12]}"
    script_chain(fake_groq, 1, answer="Once.")
    async with make_bot(redis_key_prefix=prefix) as one, make_bot(redis_key_prefix=prefix, keep_state=True) as two:
        _, thread = await one.ask(place, "Who answers?")
        await two.idle()
        assert [c.status for c in fake.record.callbacks] == [200, 400]
        script_chain(fake_groq, 1, answer="Still once.")
        fake.send_message(thread, f"<@{fake.bot_id}> and again?", user_id=place.alice)
        await fake.wait_until(
            lambda: any("**Answer:** Still once." in m.content for m in fake.record.messages(thread)),
            what="the follow-up answered",
        )
        await one.idle()
        await two.idle()
    contents = [m.content for m in fake.record.messages(thread)]
    assert sum(c.startswith("🤔 **and again?**") for c in contents) == 1
    assert sum(c == "✅ **Answer**\nStill once." for c in contents) == 1
    assert len(fake.record.threads) == 1
    assert fake_groq.pending == 0
    assert [r.getMessage() for r in caplog.records if "redelivered" in r.getMessage()] == [
        "a redelivered request was answered already; showing nothing"
    ]
