"""Stop from anywhere, end to end on Slack: two bot processes (replicas) on one Redis. The chain thinks on the first;
the stop reaction reaches the second (Socket Mode hands each event to one connection: the fake, to the newest),
which checks who asks and has the first stop it. The thread then shows the stop as a local stop shows it."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from redis.asyncio import Redis

from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import ALICE, BOB, harness
from tests.adapters.slack.test_reactions import THREE, react
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.groq_waits import until_asked

pytestmark = pytest.mark.timeout(30)


async def listening(redis_url: str, prefix: str, count: int) -> None:
    """Wait until ``count`` processes listen for stops under ``prefix`` (Redis's own count of subscribers)."""
    channel = f"{prefix}:control:stop"
    client = Redis.from_url(redis_url)
    try:
        async with asyncio.timeout(5):
            while dict(await client.pubsub_numsub(channel)).get(channel.encode(), 0) != count:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    finally:
        await client.aclose()


async def test_a_stop_reaction_on_another_replica_stops_the_chain(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts, redis_url: str
) -> None:
    scripts.default = Script(steps=THREE.steps, hang_after=2)
    prefix = f"test{uuid.uuid4().hex[:12]}"
    async with harness(slack, fake_groq, redis_url=redis_url, redis_key_prefix=prefix) as first:
        question = await first.ask("think forever")
        await until_asked(fake_groq, 3)  # two steps done and the third asked for, on the first replica
        async with harness(slack, fake_groq, redis_url=redis_url, redis_key_prefix=prefix) as second:
            await slack.socket.wait_connected(opened=2)  # events now reach the second replica
            await listening(redis_url, prefix, 2)
            await react(second, question, "octagonal_sign", user=BOB)  # not the asker: refused where asked
            await asyncio.sleep(0.5)
            assert first.bot.running == 1
            asked = time.monotonic()
            await react(second, question, "octagonal_sign", user=ALICE)
            replies = await first.answered(question.ts)
            shown = time.monotonic()
            assert second.bot.running == 0  # it never ran the chain
    assert replies[-1].text == ":octagonal_sign: Stopped at the asker's request. The 2 steps above are kept."
    assert shown - asked < 1.5  # the stop itself lands within 1 s (tests/core/test_stop_anywhere.py); then the post
    assert len(fake_groq.chat_requests) == 3
