"""Reactions: expand a step in place, collapse it again, expand every step from the header, after a restart too,
and stop a running chain (the asker or a member with Manage Messages only). Long expansions: test_expand_in_place."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from adapters.discord.context import message_key
from core.state import MessageLink
from tests.adapters.discord.conftest import Place, script_chain, step
from tests.fakes.discord import FakeDiscord, Permission
from tests.fakes.groq_server import FakeGroq
from tests.groq_waits import until_asked

pytestmark = pytest.mark.timeout(30)


def content(fake: FakeDiscord, channel: int, message_id: int) -> str:
    return next(m.content for m in fake.record.messages(channel) if m.id == message_id)


async def wait_content(
    fake: FakeDiscord, channel: int, message_id: int, fragment: str, *, present: bool = True
) -> None:
    await fake.wait_until(
        lambda: (fragment in content(fake, channel, message_id)) == present,
        what=f"{fragment!r} {'in' if present else 'gone from'} message {message_id}",
    )


async def test_expand_and_collapse_one_step(fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot) -> None:
    script_chain(fake_groq, 2)
    async with make_bot() as bot:
        _, thread = await bot.ask(place, "Expand me")
        first = fake.record.messages(thread)[0]
        assert "Content of step 1." not in first.content
        fake.add_reaction(thread, first.id, "🔍", user_id=place.bob)
        await wait_content(fake, thread, first.id, "Content of step 1.")
        fake.remove_reaction(thread, first.id, "🔍", user_id=place.bob)
        await wait_content(fake, thread, first.id, "Content of step 1.", present=False)
    edits = [e for e in fake.record.history(thread) if e.action == "edit" and e.message.id == first.id]
    assert len(edits) == 2
    assert edits[0].message.allowed_mentions == {"parse": []}
    assert fake.record.count_429 == 0


async def test_continuations_an_earlier_version_posted_are_deleted_and_none_posted(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    long = "\n\n".join(f"Paragraph {n} " + "word " * 80 for n in range(12))  # about 5,000 characters
    fake_groq.reply(step("Long one", long, "final_answer")).reply("Done.")
    async with make_bot(step_max_tokens=4096) as bot:
        _, thread = await bot.ask(place, "Say a lot")
        first, answer = fake.record.messages(thread)
        service = bot.client.ctx.service
        found = await service.find_message(message_key(first.id))
        assert found is not None
        chain_id = found[0].chain_id
        old = await bot.client.get_partial_messageable(thread).send("an old continuation")  # as expansions once did
        await service.set_continuations(
            chain_id, message_key(first.id), [MessageLink(chain_id=chain_id, message_id=message_key(old.id))]
        )
        fake.add_reaction(thread, first.id, "🔍", user_id=place.alice)
        await fake.wait_until(lambda: len(fake.record.messages(thread)) == 2, what="the old continuation deleted")
        await wait_content(fake, thread, first.id, "Paragraph 0 ")
    assert [m.id for m in fake.record.messages(thread)] == [first.id, answer.id]
    assert len(content(fake, thread, first.id)) <= 2000
    assert content(fake, thread, first.id).startswith("**1. Long one**")


async def test_reacting_on_the_header_expands_every_step(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 4)
    async with make_bot() as bot:
        header, thread = await bot.ask(place, "Expand all")
        fake.add_reaction(place.channel, header.id, "🔍", user_id=place.alice)

        def all_expanded() -> bool:
            shown = "\n".join(m.content for m in fake.record.messages(thread))
            return all(f"Content of step {n}." in shown for n in range(1, 5))

        await fake.wait_until(all_expanded, what="every step expanded")


async def test_expand_works_after_the_bot_restarts(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    prefix = f"test{uuid.uuid4().hex[:12]}"
    script_chain(fake_groq, 3)
    async with make_bot(redis_key_prefix=prefix, keep_state=True) as bot:
        _, thread = await bot.ask(place, "Remember me")
    second = fake.record.messages(thread)[0]
    async with make_bot(redis_key_prefix=prefix) as restarted:
        assert not restarted.client.ctx.running
        fake.add_reaction(thread, second.id, "🔍", user_id=place.alice)
        await wait_content(fake, thread, second.id, "Content of step 1.")
    assert len(fake.record.connections) == 2


async def test_stop_reaction_from_the_asker_cancels_and_keeps_the_steps(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    fake_groq.reply(step("First", "one")).reply(step("Second", "two"))
    fake_groq.hang()
    async with make_bot() as bot:
        bot.think(place, "Never ends")
        await fake.wait_until(lambda: len(fake.record.threads) == 1, what="a thread")
        thread = fake.record.threads[0].id
        header_id = fake.record.threads[0].message_id
        assert header_id is not None
        await until_asked(fake_groq, 3)  # two steps done (in a group still open) and the third asked for
        fake.add_reaction(place.channel, header_id, "⏹️", user_id=place.bob)  # bob neither asked nor manages
        await asyncio.sleep(0.2)
        assert bot.client.ctx.running
        fake.add_reaction(place.channel, header_id, "⏹️", user_id=place.alice)
        header = await bot.header_settled(place.channel)
    assert "Stopped at the asker's request." in header.content
    texts = [m.content for m in fake.record.messages(thread)]
    assert "Second" in "\n".join(texts)
    assert texts[-1].startswith("⚠️ **The chain stopped:** Stopped at the asker's request.")
    assert "The 2 steps above are kept." in texts[-1]


async def test_a_moderator_may_stop_someone_elses_chain(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    moderators = fake.add_role(place.guild, "mods", permissions=Permission.MANAGE_MESSAGES)
    moderator = fake.add_user("mod")
    fake.add_member(place.guild, moderator, roles=[moderators])
    fake_groq.reply(step("First", "one")).hang()
    async with make_bot() as bot:
        bot.think(place, "Stop me")
        await fake.wait_until(lambda: len(fake.record.threads) == 1, what="a thread")
        header_id = fake.record.threads[0].message_id
        assert header_id is not None
        await until_asked(fake_groq, 2)  # a step done
        fake.add_reaction(place.channel, header_id, "⏹️", user_id=moderator)
        header = await bot.header_settled(place.channel)
    assert "Stopped at the asker's request." in header.content


@pytest.mark.parametrize("fake", [{"message_limit": 1, "rate_window": 0.3}], indirect=True)
async def test_steps_batched_into_one_message_expand_and_collapse_together(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 6)
    async with make_bot() as bot:
        _, thread = await bot.ask(place, "Batch me")
        batched = next(m for m in fake.record.messages(thread) if m.content.count("**") >= 4)
        numbers = [n for n in range(1, 7) if f"**{n}. Step title {n}**" in batched.content]
        assert len(numbers) > 1
        fake.add_reaction(thread, batched.id, "🔍", user_id=place.alice)
        for number in numbers:
            await wait_content(fake, thread, batched.id, f"Content of step {number}.")
        fake.remove_reaction(thread, batched.id, "🔍", user_id=place.alice)
        await wait_content(fake, thread, batched.id, "Content of step", present=False)
    assert fake.record.count_429 == 0
    assert [n for n in range(1, 7) if f"Step title {n}**" in content(fake, thread, batched.id)] == numbers


def expanded_steps(fake: FakeDiscord, thread: int) -> set[int]:
    shown = "\n".join(m.content for m in fake.record.messages(thread))
    return {n for n in range(1, 10) if f"Content of step {n}." in shown}


async def test_only_the_asker_or_a_moderator_may_expand_every_step(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 3)
    async with make_bot() as bot:
        header, thread = await bot.ask(place, "Expand all?")
        moderators = fake.add_role(place.guild, "mods", permissions=Permission.MANAGE_MESSAGES)
        moderator = fake.add_user("mod")
        fake.add_member(place.guild, moderator, roles=[moderators])  # joined after start-up: not in the cache
        edits = len(fake.record.history(thread))
        fake.add_reaction(place.channel, header.id, "🔍", user_id=place.bob)  # neither asked nor moderates
        fake.add_reaction(place.channel, header.id, "🔍", user_id=moderator)
        await fake.wait_until(lambda: expanded_steps(fake, thread) == {1, 2, 3}, what="every step expanded")
        after_moderator = len(fake.record.history(thread))
        fake.remove_reaction(place.channel, header.id, "🔍", user_id=moderator)  # a remove carries no member
        await fake.wait_until(lambda: not expanded_steps(fake, thread), what="every step collapsed")
        fake.remove_reaction(place.channel, header.id, "🔍", user_id=place.bob)
        fake.add_reaction(place.channel, header.id, "🔍", user_id=place.alice)  # the asker
        await fake.wait_until(lambda: expanded_steps(fake, thread) == {1, 2, 3}, what="expanded by the asker")
    step_messages = len([m for m in fake.record.messages(thread) if "Step title" in m.content])
    assert after_moderator - edits == step_messages  # bob's reaction edited nothing
    assert any(r.path.endswith(f"/members/{moderator}") for r in fake.record.requests)


async def test_a_strangers_reaction_on_one_step_still_expands_it(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2, delay=0.05)
    async with make_bot() as bot:
        _, thread = await bot.ask(place, "One step for anyone")
        first = fake.record.messages(thread)[0]
        fake.add_reaction(thread, first.id, "🔍", user_id=place.bob)
        await wait_content(fake, thread, first.id, "Content of step 1.")


async def test_toggles_past_the_message_rate_do_nothing(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2, delay=0.05)
    async with make_bot(discord_toggle_rate_message="2/1m") as bot:
        _, thread = await bot.ask(place, "Toggle me")
        first = fake.record.messages(thread)[0]
        fake.add_reaction(thread, first.id, "🔍", user_id=place.alice)
        await wait_content(fake, thread, first.id, "Content of step 1.")
        fake.remove_reaction(thread, first.id, "🔍", user_id=place.bob)
        fake.remove_reaction(thread, first.id, "🔍", user_id=place.alice)
        await wait_content(fake, thread, first.id, "Content of step 1.", present=False)
        fake.add_reaction(thread, first.id, "🔍", user_id=place.bob)  # a third toggle within the minute
        await asyncio.sleep(0.5)
    assert "Content of step 1." not in content(fake, thread, first.id)
    edits = [e for e in fake.record.history(thread) if e.action == "edit" and e.message.id == first.id]
    assert len(edits) == 2


async def test_toggles_past_the_user_rate_do_nothing(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2, delay=0.05)
    async with make_bot(discord_toggle_rate_user="1/1m") as bot:
        _, thread = await bot.ask(place, "One toggle each")
        first, second = fake.record.messages(thread)[:2]
        fake.add_reaction(thread, first.id, "🔍", user_id=place.bob)
        await wait_content(fake, thread, first.id, "Content of step 1.")
        fake.add_reaction(thread, second.id, "🔍", user_id=place.bob)  # bob's second toggle: refused
        fake.add_reaction(thread, first.id, "🔍", user_id=place.alice)  # alice has her own share
        await asyncio.sleep(0.5)
    assert "Content of step 2." not in content(fake, thread, second.id)
    assert [e.message.id for e in fake.record.history(thread) if e.action == "edit"] == [first.id, first.id]


@pytest.mark.parametrize("fake", [{"reply_delays": {"messages.create": 0.4}}], indirect=True)
async def test_a_reaction_before_the_link_is_saved_is_not_lost(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2)
    async with make_bot() as bot:
        bot.think(place, "Quick fingers")
        await fake.wait_until(lambda: len(fake.record.threads) == 1, what="a thread")
        thread = fake.record.threads[0].id
        await fake.wait_for_messages(thread, 1)
        first = fake.record.messages(thread)[0]
        fake.add_reaction(thread, first.id, "🔍", user_id=place.bob)  # Discord has not answered the post yet
        await wait_content(fake, thread, first.id, "Content of step 1.")
        await bot.header_settled(place.channel)
