"""/think end to end: defer, header, thread, collapsed steps, answer, header edit; and no pings, ever."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import Place, script_chain, step
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq

pytestmark = pytest.mark.timeout(30)


async def test_a_full_think(fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot) -> None:
    script_chain(fake_groq, 3, answer="Two plus two is **4**.")
    async with make_bot() as bot:
        interaction = bot.think(place, "What is 2+2?")
        header = await bot.header_settled(place.channel)
        await bot.reacted(header.id, "🔍")
        await bot.reacted(header.id, "⏹️", add=False)
        thread = bot.thread_of(header)
        posted = fake.record.messages(thread)
    callbacks = [(c.interaction_id, c.type, c.status) for c in fake.record.callbacks]
    assert callbacks == [(interaction.id, 5, 200)]  # deferred once
    assert header.interaction_id == interaction.id
    assert header.content.startswith(f"🤔 **What is 2+2?**\n-# asked by <@{place.alice}>")
    assert "**Answer:** Two plus two is **4**." in header.content
    assert "3 steps in" in header.content
    assert "react 🔍 here" in header.content
    [created] = fake.record.threads
    assert (created.name, created.type, created.parent_id) == ("What is 2+2?", 11, place.channel)
    texts = [m.content for m in posted]
    assert "\n".join(texts).startswith("**1. Step title 1** · ")
    joined = "\n".join(texts)
    assert joined.index("Step title 1") < joined.index("Step title 2") < joined.index("Step title 3")
    assert "Content of step" not in joined  # collapsed by default
    assert texts[-1] == "✅ **Answer**\nTwo plus two is **4**."
    assert fake.record.count_429 == 0
    for message in [header, *posted]:
        assert message.allowed_mentions == {"parse": []}
        assert (message.mentions, message.mention_roles, message.mention_everyone) == ((), (), False)


async def test_defer_is_the_first_request_after_the_interaction(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 1)
    async with make_bot() as bot:
        before = len(fake.record.requests)
        bot.think(place, "q?")
        await bot.header_settled(place.channel)
        first = fake.record.requests[before]
    assert (first.method, first.path.split("/")[-1], first.status) == ("POST", "callback", 200)


async def test_model_text_with_everyone_and_role_mentions_pings_nobody(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    role = fake.add_role(place.guild, "moderators")
    fake_groq.reply(step("Wake up @everyone and @here", f"ping <@&{role}> and <@{place.bob}>", "final_answer"))
    fake_groq.reply(f"@everyone the answer, <@&{role}>!")
    async with make_bot(discord_full_steps=True) as bot:
        bot.think(place, f"Hey @everyone <@&{role}>, what now?")
        header = await bot.header_settled(place.channel)
        await bot.reacted(header.id, "⏹️", add=False)
        messages = [header, *fake.record.messages(bot.thread_of(header))]
    assert len(messages) == 3
    for message in messages:
        assert message.allowed_mentions == {"parse": []}
        assert (message.mentions, message.mention_roles, message.mention_everyone) == ((), (), False)
        assert "@everyone" not in message.content
        assert f"<@&{role}>" not in message.content
    assert "ping <@\u200b&" in messages[1].content  # full steps: the content is shown, disarmed


async def test_a_repeated_question_is_replayed_from_the_cache(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2, answer="Cached answer.")
    async with make_bot() as bot:
        _, first = await bot.ask(place, "Same question?")
        requests = len(fake_groq.chat_requests)
        bot.think(place, "Same question?", user=place.bob)
        await fake.wait_until(lambda: len(fake.record.threads) == 2, what="a second thread")
        second = fake.record.threads[1].id
        shown = lambda: "\n".join(m.content for m in fake.record.messages(second))  # noqa: E731
        await fake.wait_until(lambda: "Cached answer." in shown(), what="the replayed answer")
        await bot.idle()
    assert len(fake_groq.chat_requests) == requests
    assert [m.content for m in fake.record.messages(second)] == [m.content for m in fake.record.messages(first)]
    header = fake.record.messages(place.channel)[-1]
    assert "· cached" in header.content


async def test_a_queued_chain_shows_its_position_until_it_starts(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2, delay=0.3)
    async with make_bot(max_concurrent_chains=1) as bot:
        bot.think(place, "First in line")
        await fake.wait_until(lambda: len(fake.record.threads) == 1, what="the first thread")
        bot.think(place, "Second in line", user=place.bob)
        await fake.wait_until(
            lambda: any("number 1 in line" in e.message.content for e in fake.record.history(place.channel)),
            what="the queue position",
        )
        script_chain(fake_groq, 1)
        await fake.wait_until(lambda: len(fake.record.threads) == 2, timeout=10, what="the second thread")
        await bot.idle()
    assert "Busy right now: your question is number 1 in line." in "\n".join(
        e.message.content for e in fake.record.history(place.channel)
    )


async def test_twenty_at_once_are_all_deferred_in_time(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    def respond(body: dict[str, object]) -> str:
        if body.get("response_format"):
            return step("Only step", "c", "final_answer")
        return "Done."

    fake_groq.respond_with(respond)
    async with make_bot() as bot:
        users = [fake.add_user(f"user{n}", guilds=[place.guild]) for n in range(20)]
        for number, user in enumerate(users):
            bot.think(place, f"Question {number}?", user=user)
        await fake.wait_until(lambda: len(fake.record.callbacks) == 20, what="20 deferrals")
        await fake.wait_until(
            lambda: sum("**Answer:** Done." in m.content for m in fake.record.messages(place.channel)) == 20,
            timeout=20,
            what="20 answers",
        )
        await bot.idle()
    assert {(c.type, c.status) for c in fake.record.callbacks} == {(5, 200)}
    assert len(fake.record.threads) == 20
    assert fake.record.count_429 == 0


async def test_the_bot_offers_stop_while_running_and_expand_when_done(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2)
    async with make_bot() as bot:
        header, _ = await bot.ask(place, "Which buttons?")
        bot.think(place, "Which buttons?", user=place.bob)  # a cache hit: nothing to stop
        await fake.wait_until(lambda: len(fake.record.threads) == 2, what="the replay's thread")
        await bot.idle()
    own = [(r.message_id, r.action, r.emoji) for r in fake.record.reactions if r.user_id == fake.bot_id]
    replay = fake.record.threads[1].message_id
    assert own == [
        (header.id, "add", "⏹️"),
        (header.id, "add", "🔍"),
        (header.id, "remove", "⏹️"),
        (replay, "add", "🔍"),
    ]
