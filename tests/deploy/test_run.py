"""``thinkbot run`` in-process: Discord and Slack on one set of services, health and metrics scraped mid-chain."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.discord import DISCORD_ENDPOINTS, current_endpoints
from bot.discord_run import rate_limit_trace
from core.drain import INTERRUPTED
from core.metrics import Metrics
from tests.deploy.chains import sample, script_chain, step
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.groq_waits import until_asked
from tests.run_kit import make_plan, running

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
    plan = make_plan(fake_groq, redis_url, slack_fake=slack, discord_fake=discord_fake)
    async with running(plan) as bot:
        url = bot.url
        await slack.socket.wait_connected()
        checks = (await wait_ready(http, url))["checks"]
        assert checks == {"redis": True, "discord": True, "slack": True}

        script_chain(fake_groq, steps=2, delay=0.3)
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="why is the sky blue?")
        await slack.socket.deliver_event(mention.payload)
        await until_asked(fake_groq, 1)
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
    assert current_endpoints() == DISCORD_ENDPOINTS  # discord.py's process-wide addresses are put back


async def test_platform_429s_are_counted(fake_groq: FakeGroq, http: aiohttp.ClientSession):
    """The fake Slack allows one post per 0.2 s per channel; the bot (no pacing) posts faster and is told 429."""
    async with FakeSlack(post_interval=0.2, post_burst=1) as strict:
        script_chain(fake_groq, steps=1)
        async with running(make_plan(fake_groq, None, slack_fake=strict)) as bot:
            await strict.socket.wait_connected()
            mention = strict.users.mention(channel=CHANNEL, user=ALICE, text="count to three")
            await strict.socket.deliver_event(mention.payload)
            await strict.record.wait_for(
                lambda: any(m.text.startswith("Answer:") for m in strict.record.thread(CHANNEL, mention.message.ts)),
                what="the answer",
                timeout=10,
            )
            text = await scrape(http, bot.url)
    assert sample(text, "thinkbot_platform_rate_limited_total", platform="slack") >= 1
    assert sample(text, "thinkbot_platform_rate_limited_total", platform="discord") == 0


async def test_the_discord_trace_counts_each_429_answer():
    """discord.py retries 429s itself; the trace given to its session sees every one (a real aiohttp server)."""
    statuses = iter([429, 429, 200])

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({}, status=next(statuses))

    app = web.Application()
    app.router.add_get("/x", answer)
    metrics = Metrics()
    trace = rate_limit_trace(metrics, "discord")
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession(trace_configs=[trace]) as session:
        for _ in range(3):
            async with session.get(server.make_url("/x")):
                pass
    text = metrics.exposition().decode()
    assert sample(text, "thinkbot_platform_rate_limited_total", platform="discord") == 2


async def test_stopping_mid_chain_posts_interrupted_in_the_discord_thread(
    fake_groq: FakeGroq, redis_url: str, discord_fake: FakeDiscord, http: aiohttp.ClientSession
):
    guild = discord_fake.add_guild("Thinkers")
    channel = discord_fake.add_text_channel(guild, "general")
    alice = discord_fake.add_user("alice", guilds=[guild])
    fake_groq.reply(step("first")).hang()
    async with running(make_plan(fake_groq, redis_url, discord_fake=discord_fake, shutdown_grace=0.2)) as bot:
        await wait_ready(http, bot.url)
        discord_fake.run_command("think", user_id=alice, channel_id=channel, options={"question": "17 * 23?"})
        await discord_fake.wait_until(lambda: discord_fake.record.threads, what="the chain's thread")
        thread = discord_fake.record.threads[0].id
        await until_asked(fake_groq, 2)  # the first step done
        report = await bot.stopped()
    assert len(report.interrupted) == 1
    assert any(INTERRUPTED in m.content for m in discord_fake.record.messages(thread))
