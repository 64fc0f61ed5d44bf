"""How a chain looks on Discord (issue 11): steps grouped by content, the same on every run, within the channel's
limits; live progress on the header before the first step is done, partial steps included; compact display; the
step cap said."""

from __future__ import annotations

import re

import pytest

from tests.adapters.discord.conftest import Place, script_chain, step
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.streaming import PIECES, registered

pytestmark = pytest.mark.timeout(60)

STEP = re.compile(r"\*\*(\d+)\. Step title \d+\*\*")


def layout(fake: FakeDiscord, thread: int) -> list[list[int]]:
    """The step numbers each thread message shows (an empty list: the answer)."""
    return [[int(n) for n in STEP.findall(m.content)] for m in fake.record.messages(thread)]


def header_texts(fake: FakeDiscord, channel: int) -> list[str]:
    """Every version the channel's messages went through, oldest first."""
    return [event.message.content for event in fake.record.history(channel)]


async def test_a_25_step_chain_looks_the_same_on_two_runs_in_10_messages_without_a_429(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 25, delay=0.01)
    script_chain(fake_groq, 25)  # the second run's steps come as fast as the fake can answer
    async with make_bot() as bot:
        _, first = await bot.ask(place, "Twenty-five steps", fresh=True)
        _, second = await bot.ask(place, "Twenty-five steps, again", fresh=True)
    assert layout(fake, first) == layout(fake, second)
    groups = layout(fake, first)
    assert len(groups) <= 10
    assert [n for g in groups for n in g] == list(range(1, 26))
    assert groups[-1] == []  # the answer, last
    assert fake.record.count_429 == 0


async def test_progress_shows_on_the_header_before_the_first_step_is_done(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    fake_groq.reply(step("Slow start", "c"), delay=1.5)
    script_chain(fake_groq, 2)
    async with make_bot(discord_progress_seconds=0.2) as bot:
        bot.think(place, "Take your time")

        def thinking() -> bool:
            return any("thinking step 1 · " in m.content for m in fake.record.messages(place.channel))

        await fake.wait_until(thinking, what="the header's live progress")
        assert len(fake_groq.chat_requests) == 1  # step 1 is still being thought
        header = await bot.header_settled(place.channel)
    assert "thinking" not in header.content
    assert "**Answer:**" in header.content
    assert fake.record.count_429 == 0


async def test_a_partial_step_shows_on_the_header_as_it_is_written(fake: FakeDiscord, place: Place, make_bot) -> None:
    with registered():
        async with make_bot(discord_progress_seconds=0.1) as bot:
            bot.think(place, "Stream it", strategy="streaming")
            header = await bot.header_settled(place.channel, timeout=10)
    versions = header_texts(fake, place.channel)
    partial = [v for v in versions if "-# ✍️ " in v]
    assert any(PIECES[0].strip() in v and "thinking step 1" in v for v in partial)
    assert any("b, e, r, r, y." not in v and "s, t, r, a, w," in v for v in partial)  # the text grew as it came
    assert "✍️" not in header.content
    assert fake.record.count_429 == 0


async def test_compact_display_posts_only_the_answer_in_the_thread(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 6)
    async with make_bot(discord_display="compact") as bot:
        header, thread = await bot.ask(place, "Compact please")
    texts = [m.content for m in fake.record.messages(thread)]
    assert len(texts) == 1
    assert texts[0].startswith("✅ **Answer**")
    assert "6 steps in" in header.content


async def test_a_chain_at_the_step_cap_says_so(fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot) -> None:
    fake_groq.respond_with(lambda body: step("More", "c") if "response_format" in body else "Forty-two.")
    async with make_bot(step_cap=4) as bot:
        header, _ = await bot.ask(place, "Never done")
    assert "4 steps in" in header.content
    assert "stopped at the step cap of 4" in header.content
