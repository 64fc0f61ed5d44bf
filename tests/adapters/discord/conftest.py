"""The Discord adapter end to end, started as production starts it (``thinkbot run --only discord``, through
``tests.run_kit``): the real discord.py client and the real core service (fake Groq, real Redis) against the fake
Discord, all on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.discord import ThinkClient
from tests.fakes.discord import FakeDiscord, PostedMessage
from tests.fakes.discord.interactions import InteractionState
from tests.fakes.groq_server import FakeGroq
from tests.run_kit import make_plan, running

WINDOW = 0.2  # the fake's per-channel window: 5 messages per 0.2 s (a few tests use Discord's real 5 s)
REAL_WINDOW = 5.0
GRACE = 0.2  # seconds a chain still running when a test's bot stops may finish before it is interrupted


def step(title: str, content: str = "c", next_action: str = "continue") -> str:
    return json.dumps({"title": title, "content": content, "next_action": next_action})


def script_chain(groq: FakeGroq, steps: int = 3, *, answer: str = "The answer is 4.", delay: float = 0.0) -> None:
    """A g1 chain of ``steps`` steps titled ``Step title N`` and its final answer."""
    for index in range(1, steps + 1):
        action = "final_answer" if index == steps else "continue"
        groq.reply(step(f"Step title {index}", f"Content of step {index}.", action), delay=delay)
    groq.reply(answer, delay=delay)


@dataclass(frozen=True, slots=True)
class Place:
    guild: int
    channel: int
    alice: int
    bob: int


@pytest.fixture
async def fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    """Parametrize indirectly with a dict of FakeDiscord options to change its limits."""
    options = {"rate_window": WINDOW, **getattr(request, "param", {})}
    async with FakeDiscord(**options) as server:
        yield server


@pytest.fixture
def place(fake: FakeDiscord) -> Place:
    guild = fake.add_guild("Thinkers")
    channel = fake.add_text_channel(guild, "general")
    alice = fake.add_user("alice", guilds=[guild])
    return Place(guild=guild, channel=channel, alice=alice, bob=fake.add_user("bob", guilds=[guild]))


@dataclass
class Bot:
    """A running bot: its client, and helpers to act and wait as a user would."""

    fake: FakeDiscord
    client: ThinkClient

    def think(
        self, place: Place, question: str, *, user: int | None = None, channel: int | None = None, **options: Any
    ) -> InteractionState:
        return self.fake.run_command(
            "think",
            user_id=user or place.alice,
            channel_id=channel or place.channel,
            options={"question": question, **options},
        )

    async def ask(self, place: Place, question: str, **options: Any) -> tuple[PostedMessage, int]:
        """Run /think in the place's channel and wait for it to settle; the header and the thread's id."""
        self.think(place, question, **options)
        header = await self.header_settled(place.channel)
        return header, self.thread_of(header)

    async def header_settled(self, channel: int, *, timeout: float = 5.0) -> PostedMessage:  # noqa: ASYNC109
        """Wait until the header in ``channel`` shows an answer or a failure; return it."""

        def settled() -> bool:
            return any(_settled(m) for m in self.fake.record.messages(channel))

        await self.fake.wait_until(settled, timeout=timeout, what=f"a settled header in {channel}")
        await self.idle()
        return next(m for m in self.fake.record.messages(channel) if _settled(m))

    async def idle(self, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until no chain is being shown (the last reactions and edits are done)."""
        async with asyncio.timeout(timeout):
            while self.client.ctx.running:  # noqa: ASYNC110 - a plain dict the adapter empties; polled
                await asyncio.sleep(0.01)

    async def reacted(self, message_id: int, emoji: str, *, add: bool = True, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        action = "add" if add else "remove"

        def seen() -> bool:
            return any(
                (r.message_id, r.emoji, r.action, r.user_id) == (message_id, emoji, action, self.fake.bot_id)
                for r in self.fake.record.reactions
            )

        await self.fake.wait_until(seen, timeout=timeout, what=f"the bot's {action} of {emoji}")

    def thread_of(self, header: PostedMessage) -> int:
        return next(t.id for t in self.fake.record.threads if t.message_id == header.id)


def _settled(message: PostedMessage) -> bool:
    return message.author_id != 0 and ("**Answer:**" in message.content or "\n\n⚠️" in message.content)


@contextlib.asynccontextmanager
async def started(
    fake: FakeDiscord, groq: FakeGroq, redis_url: str, *, keep_state: bool = False, **overrides: Any
) -> AsyncIterator[Bot]:
    """``thinkbot run --only discord`` against ``fake``: core settings and ``discord_*`` adapter settings as
    keywords. Two bots with the same ``redis_key_prefix`` share their Redis state, like a bot before and after a
    restart; ``keep_state=True`` leaves the keys behind for the next one (the other removes them). The bot keeps
    the fake's pace (5 posts per ``WINDOW``) unless told otherwise."""
    adapter = {k.removeprefix("discord_"): v for k, v in overrides.items() if k.startswith("discord_")}
    adapter.setdefault("post_window", WINDOW)
    core = {k: v for k, v in overrides.items() if not k.startswith("discord_")}
    core.setdefault("shutdown_grace", GRACE)
    plan = make_plan(groq, redis_url, discord_fake=fake, discord_values=adapter, **core)
    async with running(plan, keep_state=keep_state) as bot:
        assert bot.started.discord is not None
        yield Bot(fake=fake, client=bot.started.discord)


@pytest.fixture
def make_bot(fake: FakeDiscord, fake_groq: FakeGroq, redis_url: str) -> Callable[..., Any]:
    """``async with make_bot(**overrides) as bot``: see :func:`started`."""

    def make(**overrides: Any) -> contextlib.AbstractAsyncContextManager[Bot]:
        return started(fake, fake_groq, redis_url, **overrides)

    return make


@pytest.fixture
async def make_bot_real(fake_groq: FakeGroq, redis_url: str) -> AsyncIterator[tuple[FakeDiscord, Place, Any]]:
    """Like ``make_bot`` against a fake Discord at Discord's real pace (5 messages per 5 s per channel)."""
    async with FakeDiscord(rate_window=REAL_WINDOW) as server:
        guild = server.add_guild("Thinkers")
        place = Place(
            guild=guild,
            channel=server.add_text_channel(guild),
            alice=server.add_user("alice", guilds=[guild]),
            bob=server.add_user("bob", guilds=[guild]),
        )

        def make(**overrides: Any) -> contextlib.AbstractAsyncContextManager[Bot]:
            return started(server, fake_groq, redis_url, **{"discord_post_window": REAL_WINDOW, **overrides})

        yield server, place, make
