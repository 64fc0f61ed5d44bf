"""Channel gates: one holder per channel at a time, other channels unaffected, nothing kept once idle."""

from __future__ import annotations

import asyncio

from adapters.discord.gates import ChannelGates


async def test_one_holder_per_channel_and_no_lock_left_behind() -> None:
    gates = ChannelGates()
    inside: dict[int, int] = {1: 0, 2: 0}
    most: dict[int, int] = {1: 0, 2: 0}

    async def write(channel: int) -> None:
        async with gates(channel):
            inside[channel] += 1
            most[channel] = max(most[channel], inside[channel])
            await asyncio.sleep(0.01)
            inside[channel] -= 1

    await asyncio.gather(*(write(1 + n % 2) for n in range(10)))
    assert most == {1: 1, 2: 1}
    assert len(gates) == 0


async def test_other_channels_go_ahead_while_one_is_held() -> None:
    gates = ChannelGates()
    async with gates(1):
        await asyncio.wait_for(_enter(gates, 2), 0.5)
        blocked = asyncio.create_task(_enter(gates, 1))
        await asyncio.sleep(0.02)
        assert not blocked.done()
    await asyncio.wait_for(blocked, 0.5)


async def _enter(gates: ChannelGates, channel: int) -> None:
    async with gates(channel):
        pass
