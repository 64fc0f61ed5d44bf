"""A 12-step chain within Discord's per-channel limits: zero 429s, steps batched, none lost or reordered."""

from __future__ import annotations

import re
import time

import pytest

from tests.adapters.discord.conftest import Place, script_chain
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq

STEP = re.compile(r"\*\*(\d+)\. Step title \d+\*\*")


def step_numbers(fake: FakeDiscord, thread: int) -> list[int]:
    return [int(n) for m in fake.record.messages(thread) for n in STEP.findall(m.content)]


async def test_twelve_steps_without_a_429_in_order(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 12)
    async with make_bot() as bot:
        _, thread = await bot.ask(place, "Twelve steps please")
    assert step_numbers(fake, thread) == list(range(1, 13))
    assert fake.record.count_429 == 0


@pytest.mark.slow
@pytest.mark.timeout(60)
async def test_at_discords_real_limit_fast_steps_are_batched(fake_groq: FakeGroq, make_bot_real) -> None:
    """5 messages per 5 s, steps every 50 ms: discord.py waits out the bucket, the steps queue and share messages."""
    fake, place, make_bot = make_bot_real
    script_chain(fake_groq, 12, delay=0.05)
    started = time.perf_counter()
    async with make_bot() as bot:
        bot.think(place, "Twelve quick steps")
        header = await bot.header_settled(place.channel, timeout=30)
        thread = bot.thread_of(header)
        messages = fake.record.messages(thread)
    assert step_numbers(fake, thread) == list(range(1, 13))
    assert fake.record.count_429 == 0
    assert len(messages) < 13  # 12 steps and the answer: some steps shared a message
    assert max(len(STEP.findall(m.content)) for m in messages) > 1
    assert time.perf_counter() - started < 20
