"""``thinkbot discord`` and ``thinkbot slack`` are ``thinkbot run --only discord|slack``: as real processes at
DEBUG against the fakes, each serves ``/healthz``, ``/readyz`` and ``/metrics`` (no ``/health``), answers a
question, drains on SIGTERM, and prints no token on stdout or stderr."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import aiohttp
import pytest

from tests.deploy.chains import script_chain
from tests.deploy.process import Process, clean_environment, start
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.redis_server import free_port
from tests.run_kit import MODEL

pytestmark = pytest.mark.timeout(60)

CHANNEL = "C0GENERAL"
ALICE = "U0ALICE"
PATHS = {"/healthz": 200, "/readyz": 200, "/metrics": 200, "/health": 404}


def base_env(groq: FakeGroq, redis_url: str, port: int, **values: str) -> dict[str, str]:
    return clean_environment(
        GROQ_API_KEY=groq.api_key,
        GROQ_BASE_URL=groq.base_url,
        THINKBOT_MODEL=MODEL,
        REDIS_URL=redis_url,
        THINKBOT_REDIS_KEY_PREFIX=f"test{uuid.uuid4().hex[:12]}",
        THINKBOT_LOG_LEVEL="DEBUG",
        PORT=str(port),
        **values,
    )


async def served(process: Process, http: aiohttp.ClientSession, url: str) -> dict[str, int]:
    """Wait until ready, then the status of each path of ``PATHS``; the metrics are Prometheus text."""
    await process.ready(http, url)
    statuses = {}
    for path in PATHS:
        async with http.get(f"{url}{path}") as response:
            statuses[path] = response.status
            if path == "/metrics" and response.status == 200:
                assert response.headers["Content-Type"].startswith("text/plain; version=")
    return statuses


async def stopped(process: Process) -> tuple[int, str]:
    """SIGTERM, and the exit code with everything printed (stdout and stderr)."""
    process.terminate()
    code, out, err = await process.finished_with_output()
    return code, out + err


def check_exit(code: int, printed: str, secrets: list[str]) -> None:
    """A clean, drained exit that logged at DEBUG and printed no secret."""
    assert code == 0, printed
    assert " DEBUG " in printed
    assert re.search(r"drained: \d+ finished, 0 interrupted", printed)  # chains still closing count as finished
    for secret in secrets:
        assert secret not in printed


@pytest.mark.parametrize("command", ["thinkbot discord", "thinkbot run --only discord"])
async def test_discord_alias_serves_the_health_paths_and_prints_no_token(
    command: str,
    tmp_path: Path,
    fake_groq: FakeGroq,
    redis_url: str,
    discord_fake: FakeDiscord,
    http: aiohttp.ClientSession,
):
    guild = discord_fake.add_guild("Thinkers")
    channel = discord_fake.add_text_channel(guild, "general")
    alice = discord_fake.add_user("alice", guilds=[guild])
    port = free_port()
    env = base_env(
        fake_groq,
        redis_url,
        port,
        DISCORD_TOKEN=discord_fake.token,
        THINKBOT_DISCORD_API_BASE=discord_fake.api_base,
        THINKBOT_DISCORD_GATEWAY_URL=discord_fake.gateway_url,
        THINKBOT_DISCORD_GUILD_IDS=str(guild),
    )
    process = await start(command, env=env, cwd=tmp_path, output=True)
    try:
        assert await served(process, http, f"http://127.0.0.1:{port}") == PATHS
        script_chain(fake_groq, steps=1)
        interaction = discord_fake.run_command("think", user_id=alice, channel_id=channel, options={"question": "2?"})
        await discord_fake.wait_until(
            lambda: any("**Answer:**" in m.content for m in discord_fake.record.messages(channel)),
            timeout=10,
            what="the answer",
        )
    finally:
        code, printed = await stopped(process)
    check_exit(code, printed, [discord_fake.token, interaction.token, fake_groq.api_key])


@pytest.mark.parametrize(
    ("command", "mode"),
    [("thinkbot slack", "socket"), ("thinkbot slack", "http"), ("thinkbot run --only slack", "socket")],
)
async def test_slack_alias_serves_the_health_paths_and_prints_no_token(
    command: str,
    mode: str,
    tmp_path: Path,
    fake_groq: FakeGroq,
    redis_url: str,
    slack: FakeSlack,
    http: aiohttp.ClientSession,
):
    ws = slack.workspace
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tokens = {"SLACK_APP_TOKEN": ws.app_token} if mode == "socket" else {"SLACK_SIGNING_SECRET": ws.signing_secret}
    env = base_env(
        fake_groq,
        redis_url,
        port,
        SLACK_BOT_TOKEN=ws.bot_token,
        SLACK_API_URL=slack.api_url,
        THINKBOT_SLACK_HOST="127.0.0.1",
        THINKBOT_SLACK_POST_INTERVAL="0",
        **tokens,
    )
    process = await start(command, env=env, cwd=tmp_path, output=True)
    try:
        assert await served(process, http, url) == PATHS
        script_chain(fake_groq, steps=1)
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="are you the same bot?")
        assert mention.message is not None
        if mode == "socket":
            await slack.socket.deliver_event(mention.payload)
        else:
            async with slack.signed_poster(f"{url}/slack/events") as poster:
                assert (await poster.post_event(mention.payload)).status == 200
            async with http.post(f"{url}/slack/events", data=b"{}") as unsigned:
                assert unsigned.status == 401
        await slack.record.wait_for(
            lambda: any(m.text.startswith("Answer:") for m in slack.record.thread(CHANNEL, mention.message.ts)),
            what="the answer",
            timeout=10,
        )
    finally:
        code, printed = await stopped(process)
    check_exit(code, printed, [ws.bot_token, ws.app_token, ws.signing_secret, fake_groq.api_key])
