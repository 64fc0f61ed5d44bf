"""The batcher under a thread cap: never more messages than the cap, steps folded once their share is used,
and everything that does not fit in the attached file, in order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.chat.caps import ThreadCap
from adapters.discord.pacing import Batcher, Piece


@dataclass
class Channel:
    sent: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    posted: list[tuple[int, ...]] = field(default_factory=list)

    async def send(self, text: str, file: discord.File | None = None) -> str:
        self.sent.append(text)
        if file is not None:
            self.files[file.filename] = file.fp.read().decode()
        return text

    async def on_posted(self, message: object, steps: tuple[int, ...], linked: bool) -> None:
        self.posted.append(steps)


def step(n: int) -> Piece:
    return Piece(text=f"**{n}. Title {n}**", steps=(n,), mergeable=True, spill=f"**{n}. Title {n}**\nContent {n}")


async def test_a_long_answer_ends_in_a_file_on_the_last_allowed_message() -> None:
    channel = Channel()
    batcher = Batcher(send=channel.send, posted=channel.on_posted, cap=ThreadCap(limit=5))  # type: ignore[arg-type]
    batcher.put(step(1))
    batcher.put(*(Piece(text=f"answer part {n}", kind="answer") for n in range(10)))
    await batcher.close()
    assert len(channel.sent) == 5
    assert channel.sent[:4] == ["**1. Title 1**", "answer part 0", "answer part 1", "answer part 2"]
    assert "answer.md" in channel.sent[4]
    assert "at most 5 messages" in channel.sent[4]
    assert channel.files["answer.md"] == "\n\n".join(f"answer part {n}" for n in range(3, 10)) + "\n"


async def test_steps_after_their_share_are_folded_and_follow_at_the_end() -> None:
    channel = Channel()
    batcher = Batcher(send=channel.send, posted=channel.on_posted, cap=ThreadCap(limit=4))  # type: ignore[arg-type]
    for n in range(1, 8):
        batcher.put(step(n))
        await asyncio.sleep(0.01)  # each step has gone out (or been held) before the next arrives
    assert len(channel.sent) == 2  # the steps' share: all but the last two messages
    batcher.put(Piece(text="the answer", kind="answer"))
    await batcher.close()
    assert channel.sent == [
        "**1. Title 1**",
        "**2. Title 2**",
        "\n".join(f"**{n}. Title {n}**" for n in range(3, 8)),  # held steps, merged into one message
        "the answer",
    ]
    assert channel.posted == [(1,), (2,), (3, 4, 5, 6, 7), ()]
    assert channel.files == {}


async def test_folded_steps_that_do_not_fit_go_in_full_into_the_file() -> None:
    channel = Channel()
    batcher = Batcher(  # type: ignore[arg-type]
        send=channel.send, posted=channel.on_posted, cap=ThreadCap(limit=3), limit=200
    )
    for n in range(1, 40):
        batcher.put(step(n))
        await asyncio.sleep(0)
    batcher.put(Piece(text="the answer", kind="answer"))
    await batcher.close()
    assert len(channel.sent) == 3
    assert "chain.md" in channel.sent[-1]
    assert "remaining steps and the answer" in channel.sent[-1]
    file = channel.files["chain.md"]
    shown = "\n".join(channel.sent[:-1])
    assert all(f"Title {n}**" in shown or f"Content {n}" in file for n in range(1, 40))
    assert file.rstrip().endswith("the answer")


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(min_value=3, max_value=14),
    steps=st.integers(min_value=0, max_value=30),
    answer_parts=st.integers(min_value=1, max_value=30),
    pauses=st.lists(st.booleans(), min_size=30, max_size=30),
)
def test_never_more_than_the_cap_and_nothing_lost(
    limit: int, steps: int, answer_parts: int, pauses: list[bool]
) -> None:
    async def run() -> Channel:
        channel = Channel()
        batcher = Batcher(  # type: ignore[arg-type]
            send=channel.send, posted=channel.on_posted, cap=ThreadCap(limit=limit), limit=60
        )
        for n in range(1, steps + 1):
            batcher.put(step(n))
            if pauses[n - 1]:
                await asyncio.sleep(0)
        batcher.put(*(Piece(text=f"answer part {n}", kind="answer") for n in range(answer_parts)))
        await batcher.close()
        return channel

    channel = asyncio.run(run())
    assert len(channel.sent) <= limit
    everything = "\n".join(channel.sent) + "\n" + "\n".join(channel.files.values())
    for n in range(1, steps + 1):
        assert f"Title {n}**" in everything
    positions = [everything.find(f"answer part {n}\n") for n in range(answer_parts)]
    assert all(p >= 0 for p in positions)
    assert positions == sorted(positions)
