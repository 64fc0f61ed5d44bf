"""The batcher: order kept, nothing lost, steps that queue up during a slow post share the next message."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from adapters.discord.pacing import Batcher, Piece


@dataclass
class SlowChannel:
    """Takes ``delay`` per post, like discord.py waiting out a rate-limit bucket."""

    delay: float
    sent: list[str] = field(default_factory=list)
    posted: list[tuple[str, tuple[int, ...], bool]] = field(default_factory=list)

    async def send(self, text: str) -> str:  # stands in for the discord.Message
        await asyncio.sleep(self.delay)
        self.sent.append(text)
        return text

    async def on_posted(self, message: object, steps: tuple[int, ...], linked: bool) -> None:
        self.posted.append((str(message), steps, linked))


async def test_steps_arriving_during_a_slow_post_are_batched_in_order() -> None:
    channel = SlowChannel(delay=0.05)
    batcher = Batcher(send=channel.send, posted=channel.on_posted)  # type: ignore[arg-type]
    for index in range(1, 13):
        batcher.put(Piece(text=f"step {index}", steps=(index,), mergeable=True))
        await asyncio.sleep(0.01)
    batcher.put(Piece(text="answer"))
    await batcher.close()
    assert "\n".join(channel.sent) == "\n".join([f"step {n}" for n in range(1, 13)] + ["answer"])
    assert 3 <= len(channel.sent) < 13
    assert [steps for _, steps, _ in channel.posted][-1] == ()
    assert [n for _, steps, _ in channel.posted for n in steps] == list(range(1, 13))


async def test_unmergeable_pieces_and_the_limit_keep_messages_apart() -> None:
    channel = SlowChannel(delay=0)
    batcher = Batcher(send=channel.send, posted=channel.on_posted, limit=20)  # type: ignore[arg-type]
    batcher.put(
        Piece(text="a" * 8, steps=(1,), mergeable=True),
        Piece(text="b" * 8, steps=(2,), mergeable=True),
        Piece(text="c" * 8, steps=(3,), mergeable=True),
        Piece(text="long part 1", steps=(4,)),
        Piece(text="long part 2", linked=False),
    )
    await batcher.close()
    assert channel.sent == ["a" * 8 + "\n" + "b" * 8, "c" * 8, "long part 1", "long part 2"]
    assert [(steps, linked) for _, steps, linked in channel.posted] == [
        ((1, 2), True),
        ((3,), True),
        ((4,), True),
        ((), False),
    ]


async def test_a_failed_post_surfaces_on_close() -> None:
    async def refuse(text: str) -> str:
        raise RuntimeError("refused")

    async def posted(message: object, steps: tuple[int, ...], linked: bool) -> None:
        raise AssertionError("nothing was posted")

    batcher = Batcher(send=refuse, posted=posted)  # type: ignore[arg-type]
    batcher.put(Piece(text="x"))
    with pytest.raises(RuntimeError, match="refused"):
        await batcher.close()
