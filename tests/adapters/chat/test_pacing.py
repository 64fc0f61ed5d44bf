"""The channel pacer: one holder per channel at a time, in arrival order, other channels unaffected, nothing kept
once idle; new posts at most ``posts`` per ``per`` seconds in a channel."""

from __future__ import annotations

import asyncio
import time

import pytest

from adapters.chat.pacing import ChannelPacer, Pace


async def test_one_holder_per_channel_and_no_lock_left_behind() -> None:
    pacer = ChannelPacer[int](pace=Pace(posts=5, per=0.0))
    inside: dict[int, int] = {1: 0, 2: 0}
    most: dict[int, int] = {1: 0, 2: 0}
    order: list[int] = []

    async def write(number: int) -> None:
        channel = 1 + number % 2
        async with pacer.slot(channel) if number % 3 else pacer.gate(channel):
            order.append(number)
            inside[channel] += 1
            most[channel] = max(most[channel], inside[channel])
            await asyncio.sleep(0.01)
            inside[channel] -= 1

    await asyncio.gather(*(write(n) for n in range(10)))
    assert most == {1: 1, 2: 1}
    assert [n for n in order if n % 2] == [1, 3, 5, 7, 9]  # in the order they asked
    assert pacer.held == 0  # nothing kept for an idle channel


async def test_other_channels_go_ahead_while_one_is_held() -> None:
    pacer = ChannelPacer[int](pace=Pace(posts=1, per=0.0))
    async with pacer.gate(1):
        await asyncio.wait_for(_post(pacer, 2), 0.5)
        blocked = asyncio.create_task(_post(pacer, 1))
        await asyncio.sleep(0.02)
        assert not blocked.done()
    await asyncio.wait_for(blocked, 0.5)


async def test_posts_keep_the_pace_per_channel() -> None:
    pacer = ChannelPacer[str](pace=Pace(posts=2, per=0.2))
    ends: list[float] = []

    async def post(channel: str) -> None:
        async with pacer.slot(channel):
            if channel == "a":
                ends.append(time.monotonic())

    began = time.monotonic()
    await asyncio.gather(*(post("a") for _ in range(5)), post("b"), post("b"))
    assert len(ends) == 5
    for earlier, later in zip(ends, ends[2:], strict=False):  # any two posts apart: the third waits a period
        assert later - earlier >= 0.2 * 0.95
    assert ends[1] - began < 0.2  # the first two go at once


async def test_a_pacer_forgets_idle_channels_once_it_knows_many() -> None:
    now = [0.0]
    pacer = ChannelPacer[int](pace=Pace(posts=1, per=1.0), clock=lambda: now[0])
    for channel in range(1023):
        async with pacer.slot(channel):
            pass
    assert len(pacer) == 1023
    now[0] = 5.0  # every pace is over
    async with pacer.slot(2000):
        pass
    assert len(pacer) == 1  # only the channel just posted in


def test_a_pace_needs_a_post_and_a_period() -> None:
    with pytest.raises(ValueError, match="at least one post"):
        Pace(posts=0, per=1.0)
    with pytest.raises(ValueError, match="at least one post"):
        Pace(posts=1, per=-1.0)


async def _post(pacer: ChannelPacer[int], channel: int) -> None:
    async with pacer.slot(channel):
        pass
