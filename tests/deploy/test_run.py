"""``thinkbot run`` in-process: Discord and Slack on one set of services, health and metrics scraped mid-chain."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.deploy.chains import sample, script_chain
from tests.deploy.conftest import make_plan, running
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack

CHANNEL = "C0GENERAL"
ALICE = "U0ALICE"


async def wait_ready(http: aiohttp.ClientSession, url: str, timeout: float = 5.0) -> dict:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            async with http.get(f"{url}/readyz") as response:
                body = await response.json()
                if response.status == 200:
                    return body
            await asyncio.sleep(0.02)


async def scrape(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(f"{url}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        return await response.text()


async def test_both_adapters_share_one_process_with_health_and_metrics(
    fake_groq: FakeGroq, redis_url: str, slack: FakeSlack, discord_fake: FakeDiscord, http: aiohttp.ClientSession
):
    guild = discord_fake.add_guild("Thinkers")
    channel = discord_fake.add_text_channel(guild, "general")
    alice = discord_fake.add_user("alice", guilds=[guild])
    plan = make_plan(fake_groq, redis_url, slack=slack, discord=discord_fake)
    async with running(plan) as bot:
        url = bot.url
        await slack.socket.wait_connected()
        checks = (await wait_ready(http, url))["checks"]
        assert checks == {"redis": True, "discord": True, "slack": True}

        script_chain(fake_groq, steps=2, delay=0.3)
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="why is the sky blue?")
        await slack.socket.deliver_event(mention.payload)
        await slack.record.wait_for(lambda: slack.record.thread(CHANNEL, mention.message.ts), what="the first step")
        async with http.get(f"{url}/healthz") as response:
            assert (response.status, await response.json()) == (200, {"status": "ok"})
        mid = await scrape(http, url)
        assert sample(mid, "thinkbot_chains_started_total", cached="false") == 1
        assert sample(mid, "thinkbot_chains_finished_total", cached="false") == 0

        await slack.record.wait_for(
            lambda: any(m.text.startswith("Answer:") for m in slack.record.thread(CHANNEL, mention.message.ts)),
            what="the Slack answer",
        )
        script_chain(fake_groq, steps=1)
        discord_fake.run_command("think", user_id=alice, channel_id=channel, options={"question": "2+2?"})
        await discord_fake.wait_until(
            lambda: any("**Answer:**" in m.content for m in discord_fake.record.messages(channel)),
            timeout=5,
            what="the Discord answer",
        )
        done = await scrape(http, url)
        assert sample(done, "thinkbot_chains_finished_total", cached="false") == 2
        assert sample(done, "thinkbot_step_seconds_count") == 3
        assert sample(done, "thinkbot_chain_seconds_count") == 2
        assert sample(done, "thinkbot_cache_misses_total") == 2
        report = await bot.stopped()
    assert report.interrupted == ()
    assert slack.socket.open_connections == 0
