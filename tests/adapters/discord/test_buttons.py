"""Buttons under the header, in addition to the reactions: Steps (a private paged view of the chain, for anyone,
after a restart too), Stop while the chain runs (the asker or a moderator only), Again (a fresh run, held to the
clicker's limits, as a new chain); and none when they are turned off."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

import pytest

from tests.adapters.discord.conftest import Bot, Place, script_chain, step
from tests.fakes.discord import FakeDiscord, Permission, PostedMessage
from tests.fakes.discord.components import walk
from tests.fakes.groq_server import FakeGroq

pytestmark = pytest.mark.timeout(60)


def _button(message: PostedMessage, kind: str) -> Mapping[str, Any]:
    """The button whose custom id is ``thinkbot:<kind>:...`` (``page:...:n`` for ▶ and so on)."""
    found = [c for c in walk(message.components) if str(c.get("custom_id", "")).startswith(f"thinkbot:{kind}")]
    assert len(found) == 1, (kind, message.custom_ids())
    return found[0]


def _pager(message: PostedMessage, role: str) -> Mapping[str, Any]:
    return next(c for c in walk(message.components) if str(c.get("custom_id", "")).endswith(f":{role}"))


def _kinds(message: PostedMessage) -> list[str]:
    return [custom_id.split(":")[1] for custom_id in message.custom_ids()]


def _current(fake: FakeDiscord, channel: int, message_id: int) -> PostedMessage:
    return next(m for m in fake.record.messages(channel) if m.id == message_id)


async def _private_view(fake: FakeDiscord, place: Place, header: PostedMessage, user: int) -> PostedMessage:
    """``user`` clicks Steps under ``header``; the private view they get."""
    before = {m.id for m in fake.record.messages(place.channel)}
    fake.press_button(header.id, _button(header, "steps")["custom_id"], user_id=user)

    def opened() -> bool:
        return any(m.id not in before and m.visible_to == user for m in fake.record.messages(place.channel))

    await fake.wait_until(opened, what="the private Steps view")
    return next(m for m in fake.record.messages(place.channel) if m.id not in before)


async def _turn(fake: FakeDiscord, channel: int, view: PostedMessage, role: str, user: int) -> PostedMessage:
    """``user`` clicks ◀ (``p``) or ▶ (``n``) in their view; the view as it is after the update."""
    turned = len(fake.record.callbacks)
    fake.press_button(view.id, _pager(view, role)["custom_id"], user_id=user)
    await fake.wait_until(lambda: len(fake.record.callbacks) > turned, what="the page turned")
    assert fake.record.callbacks[-1].status == 200
    return _current(fake, channel, view.id)


async def test_steps_shows_every_step_of_25_privately_to_anyone_and_after_a_restart(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    prefix = f"test{uuid.uuid4().hex[:12]}"
    long = "\n\n".join(f"Paragraph {n} " + "word " * 80 for n in range(6))  # about 2,500 characters: two pages
    for index in range(1, 26):
        content = long if index == 7 else f"Content of step {index}."
        fake_groq.reply(step(f"Step title {index}", content, "final_answer" if index == 25 else "continue"))
    fake_groq.reply("The answer is 25.")
    carol = fake.add_user("carol", guilds=[place.guild])
    async with make_bot(redis_key_prefix=prefix, keep_state=True, step_cap=25, step_max_tokens=4096) as bot:
        bot.think(place, "Twenty-five steps")
        header = await bot.header_settled(place.channel, timeout=30)
        assert _kinds(header) == ["steps", "again"]
        view = await _private_view(fake, place, header, place.bob)
        pages = [view]
        while not _pager(view, "n").get("disabled"):
            view = await _turn(fake, place.channel, view, "n", place.bob)
            pages.append(view)
    shown = "\n".join(page.content for page in pages)
    assert all(f"Content of step {n}." in shown for n in range(1, 26) if n != 7)
    assert all(f"Paragraph {n} " in shown for n in range(6))
    assert "The answer is 25." in pages[-1].content
    assert len(pages) == 27  # 24 short steps, step 7 on two pages, the answer
    assert all(len(page.content) <= 2000 for page in pages)
    assert all(page.ephemeral and page.visible_to == place.bob for page in pages)
    assert view.id not in {m.id for m in fake.record.seen_by(place.channel, place.alice)}
    async with make_bot(redis_key_prefix=prefix) as restarted:
        assert not restarted.client.ctx.running
        back = await _turn(fake, place.channel, view, "p", place.bob)  # bob's old view, answered by the new process
        assert "Step 25 of 25" in back.content
        carols = await _private_view(fake, place, header, carol)
    assert "**1. Step title 1**" in carols.content
    assert carols.visible_to == carol
    assert fake.record.count_429 == 0


async def _running(fake: FakeDiscord, fake_groq: FakeGroq, bot: Bot, place: Place) -> PostedMessage:
    """Alice asks a chain that thinks two steps and then hangs; its header while it runs."""
    fake_groq.reply(step("First", "one")).reply(step("Second", "two"))
    fake_groq.hang()
    bot.think(place, "Never ends")
    await fake.wait_until(lambda: len(fake_groq.chat_requests) >= 3, what="two steps")

    def header() -> PostedMessage | None:
        return next((m for m in fake.record.messages(place.channel) if "thinkbot:stop:" in str(m.custom_ids())), None)

    await fake.wait_until(lambda: header() is not None, what="a Stop button")
    found = header()
    assert found is not None
    chain_id = _button(found, "stop")["custom_id"].rsplit(":", 1)[1]
    async with asyncio.timeout(5):  # the record is saved a moment after each step
        while len(getattr(await bot.client.ctx.service.record(chain_id), "steps", ())) < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return found


async def test_stop_is_refused_to_a_stranger_and_stops_for_the_asker(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    async with make_bot() as bot:
        header = await _running(fake, fake_groq, bot, place)
        assert _kinds(header) == ["steps", "stop"]
        first = await _private_view(fake, place, header, place.bob)  # the steps so far, while it runs
        second = await _turn(fake, place.channel, first, "n", place.bob)
        note = await _turn(fake, place.channel, second, "n", place.bob)
        fake.press_button(header.id, _button(header, "stop")["custom_id"], user_id=place.bob)
        await fake.wait_until(lambda: len(fake.record.seen_by(place.channel, place.bob)) == 3, what="a refusal")
        refusal = fake.record.seen_by(place.channel, place.bob)[-1]
        assert bot.client.ctx.running
        fake.press_button(header.id, _button(header, "stop")["custom_id"], user_id=place.alice)
        settled = await bot.header_settled(place.channel)
    assert ("**1. First**" in first.content, "**2. Second**" in second.content) == (True, True)
    assert "2 steps so far: still thinking" in note.content
    assert _pager(note, "n").get("disabled")
    assert "Only the person who asked" in refusal.content
    assert (refusal.ephemeral, refusal.visible_to) == (True, place.bob)
    assert "Stopped at the asker's request." in settled.content
    assert _kinds(settled) == ["steps", "again"]  # Stop is gone with the chain


async def test_a_moderator_may_stop_with_the_button(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    moderators = fake.add_role(place.guild, "mods", permissions=Permission.MANAGE_MESSAGES)
    moderator = fake.add_user("mod")
    fake.add_member(place.guild, moderator, roles=[moderators])
    async with make_bot() as bot:
        header = await _running(fake, fake_groq, bot, place)
        fake.press_button(header.id, _button(header, "stop")["custom_id"], user_id=moderator)
        settled = await bot.header_settled(place.channel)
    assert "Stopped at the asker's request." in settled.content
    assert [c.type for c in fake.record.callbacks if c.type != 5] == [6]  # stopped quietly: no message


async def test_again_runs_the_question_afresh_for_the_clicker_within_their_limits(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2, answer="First answer.")
    script_chain(fake_groq, 2, answer="Fresh answer.")
    async with make_bot(user_rate="1/10m") as bot:
        header, first_thread = await bot.ask(place, "Think twice")
        fake.press_button(header.id, _button(header, "again")["custom_id"], user_id=place.bob)

        def fresh() -> bool:
            return any("Fresh answer." in m.content for m in fake.record.messages(place.channel))

        await fake.wait_until(fresh, timeout=10, what="the fresh answer")
        await bot.idle()
        again = next(m for m in fake.record.messages(place.channel) if "Fresh answer." in m.content)
        fake.press_button(again.id, _button(again, "again")["custom_id"], user_id=place.bob)  # past bob's limit
        await fake.wait_until(lambda: len(fake.record.seen_by(place.channel, place.bob)) == 3, what="a refusal")
        await bot.idle()
    refusal = fake.record.seen_by(place.channel, place.bob)[-1]
    assert f"<@{place.bob}>" in again.content  # asked by the clicker
    assert "Think twice" in again.content
    assert bot.thread_of(again) != first_thread  # a new chain in a thread of its own
    assert len(fake_groq.chat_requests) == 6  # thought again, not replayed from the cache
    assert (refusal.ephemeral, refusal.visible_to) == (True, place.bob)
    assert len(fake.record.threads) == 2


async def test_no_buttons_when_they_are_turned_off(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2)
    async with make_bot(discord_buttons=False) as bot:
        header, _ = await bot.ask(place, "Plain")
    assert not header.components
    assert "🔍" in header.content  # the reactions stay


async def test_a_private_chain_offers_again_privately(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 1, answer="Private answer.")
    script_chain(fake_groq, 1, answer="Private again.")
    async with make_bot() as bot:
        bot.think(place, "Just for me", private=True)
        header = await bot.header_settled(place.channel)
        assert header.visible_to == place.alice
        again = _button(header, "again")
        assert again["custom_id"].endswith(":p")
        fake.press_button(header.id, again["custom_id"], user_id=place.alice)

        def answered_again() -> bool:
            return any("Private again." in m.content for m in fake.record.messages(place.channel))

        await fake.wait_until(answered_again, what="the private answer again")
        await bot.idle()
    assert all(m.visible_to == place.alice for m in fake.record.messages(place.channel))
    assert not fake.record.threads
