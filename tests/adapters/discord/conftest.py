"""The Discord adapter end to end: the real discord.py client and the real core service (fake Groq, real Redis)
against the fake Discord, all on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.discord import ThinkClient
from bot.discord_command import build_client
from bot.discord_settings import DiscordSettings
from bot.wiring import Services, build_services
from tests.fakes.discord import FakeDiscord, PostedMessage
from tests.fakes.discord.harness import connected
from tests.fakes.discord.interactions import InteractionState
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service, settings_for

WINDOW = 0.2  # the fake's per-channel window: 5 messages per 0.2 s (a few tests use Discord's real 5 s)


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
    """A running bot: the client, the core services behind it, and helpers to act and wait as a user would."""

    fake: FakeDiscord
    client: ThinkClient
    services: Services

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


def discord_settings(**overrides: Any) -> DiscordSettings:
    return DiscordSettings(_env_file=None, **overrides)  # type: ignore[call-arg]


@pytest.fixture
def make_bot(fake: FakeDiscord, fake_groq: FakeGroq, redis_url: str) -> Callable[..., Any]:
    """``async with make_bot(**overrides) as bot``: core settings and ``discord_*`` adapter settings as keywords.

    Two bots made with the same ``redis_key_prefix`` share their Redis state, like a bot before and after a restart;
    ``keep_state=True`` leaves the keys behind for the next one (the other removes them).
    """

    @contextlib.asynccontextmanager
    async def make(*, keep_state: bool = False, **overrides: Any) -> AsyncIterator[Bot]:
        adapter = {k.removeprefix("discord_"): v for k, v in overrides.items() if k.startswith("discord_")}
        core = {k: v for k, v in overrides.items() if not k.startswith("discord_")}
        core.setdefault("redis_key_prefix", f"test{uuid.uuid4().hex[:12]}")
        if keep_state:
            building = build_services(settings_for(groq=fake_groq, redis_url=redis_url, **core))
        else:
            building = running_service(groq=fake_groq, redis_url=redis_url, **core)
        async with building as services:
            client = build_client(services, discord_settings(**adapter), guild_ready_timeout=0.05)
            async with connected(client, fake):
                yield Bot(fake=fake, client=client, services=services)

    return make


@pytest.fixture
async def make_bot_real(fake_groq: FakeGroq, redis_url: str) -> AsyncIterator[tuple[FakeDiscord, Place, Any]]:
    """Like ``make_bot`` against a fake Discord at Discord's real pace (5 messages per 5 s per channel)."""
    async with FakeDiscord(rate_window=5.0) as server:
        guild = server.add_guild("Thinkers")
        place = Place(
            guild=guild,
            channel=server.add_text_channel(guild),
            alice=server.add_user("alice", guilds=[guild]),
            bob=server.add_user("bob", guilds=[guild]),
        )

        @contextlib.asynccontextmanager
        async def make(**overrides: Any) -> AsyncIterator[Bot]:
            async with running_service(groq=fake_groq, redis_url=redis_url, **overrides) as services:
                client = build_client(services, discord_settings(), guild_ready_timeout=0.05)
                async with connected(client, server):
                    yield Bot(fake=server, client=client, services=services)

        yield server, place, make
