"""Every Procfile process starts, becomes ready and stays up against the fakes and a real redis-server, and
stops cleanly on SIGTERM: all five at once, as a dyno formation would run them."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import aiohttp
import pytest

from tests.deploy.manifests import procfile
from tests.deploy.process import Process, clean_environment, start
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.redis_server import free_port
from tests.run_kit import MODEL

pytestmark = pytest.mark.timeout(60)

STAY_UP = 1.0


def credentials(name: str, slack: FakeSlack, discord: FakeDiscord) -> dict[str, str]:
    """What each process type is deployed with: web is Slack over HTTP, slack is Socket Mode, all is both bots
    (with its own fake Discord: one bot token holds one gateway session); a worker talks to no chat platform."""
    ws = slack.workspace
    over_http = {"SLACK_BOT_TOKEN": ws.bot_token, "SLACK_SIGNING_SECRET": ws.signing_secret}
    socket = {"SLACK_BOT_TOKEN": ws.bot_token, "SLACK_APP_TOKEN": ws.app_token}
    bot = {
        "DISCORD_TOKEN": discord.token,
        "THINKBOT_DISCORD_API_BASE": discord.api_base,
        "THINKBOT_DISCORD_GATEWAY_URL": discord.gateway_url,
    }
    return {"web": over_http, "slack": socket, "discord": bot, "all": bot | over_http, "worker": {}}[name]


async def test_every_procfile_process_starts_stays_up_and_stops_on_sigterm(
    tmp_path: Path,
    fake_groq: FakeGroq,
    redis_url: str,
    slack: FakeSlack,
    discord_fake: FakeDiscord,
    http: aiohttp.ClientSession,
):
    async with FakeDiscord() as second_discord:
        await run_all(tmp_path, fake_groq, redis_url, slack, {"discord": discord_fake, "all": second_discord}, http)


async def run_all(
    tmp_path: Path,
    fake_groq: FakeGroq,
    redis_url: str,
    slack: FakeSlack,
    discords: dict[str, FakeDiscord],
    http: aiohttp.ClientSession,
) -> None:
    processes: dict[str, tuple[Process, str]] = {}
    for name, command in procfile().items():
        port = free_port()
        env = clean_environment(
            GROQ_API_KEY=fake_groq.api_key,
            GROQ_BASE_URL=fake_groq.base_url,
            THINKBOT_MODEL=MODEL,
            REDIS_URL=redis_url,
            THINKBOT_REDIS_KEY_PREFIX=f"test{uuid.uuid4().hex[:12]}",
            SLACK_API_URL=slack.api_url,
            THINKBOT_SLACK_HOST="127.0.0.1",
            PORT=str(port),
            **credentials(name, slack, discords.get(name, discords["discord"])),
        )
        processes[name] = (await start(command, env=env, cwd=tmp_path), f"http://127.0.0.1:{port}")
    try:
        outcomes = await asyncio.gather(
            *(process.ready(http, url) for process, url in processes.values()), return_exceptions=True
        )
        failed = {name: outcome for name, outcome in zip(processes, outcomes, strict=True) if outcome is not None}
        assert not failed
        await asyncio.sleep(STAY_UP)
        for name, (process, url) in processes.items():
            assert process.process.returncode is None, f"{name} exited"
            async with http.get(f"{url}/readyz") as response:
                assert response.status == 200, (name, await response.text())
        # The web process serves Slack's signed endpoint on $PORT; unsigned bodies of any shape get 401.
        for body, kind in ((b"{}", "application/json"), (b"<html>proxy</html>", "application/json")):
            async with http.post(f"{processes['web'][1]}/slack/events", data=body, headers={"Content-Type": kind}) as r:
                assert r.status == 401
    finally:
        for process, _ in processes.values():
            process.terminate()
        results = await asyncio.gather(*(process.finished() for process, _ in processes.values()))
    for name, (code, err) in zip(processes, results, strict=True):
        assert code == 0, f"{name}: {err}"
        assert "drained: 0 finished, 0 interrupted" in err, name
        assert "Traceback" not in err, name
