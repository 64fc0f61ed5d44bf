"""SIGTERM during a running chain, on the real ``thinkbot run`` process against the fake Slack."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import aiohttp
import pytest

from core.drain import INTERRUPTED
from tests.deploy.chains import step
from tests.deploy.process import clean_environment, start
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.groq_waits import until_asked
from tests.redis_server import free_port
from tests.run_kit import MODEL

pytestmark = pytest.mark.timeout(60)

CHANNEL = "C0GENERAL"
ALICE = "U0ALICE"


def slack_env(slack: FakeSlack, groq: FakeGroq, redis_url: str, port: int, **extra: str) -> dict[str, str]:
    ws = slack.workspace
    return clean_environment(
        SLACK_BOT_TOKEN=ws.bot_token,
        SLACK_APP_TOKEN=ws.app_token,
        SLACK_API_URL=slack.api_url,
        GROQ_API_KEY=groq.api_key,
        GROQ_BASE_URL=groq.base_url,
        REDIS_URL=redis_url,
        THINKBOT_REDIS_KEY_PREFIX=f"test{uuid.uuid4().hex[:12]}",
        THINKBOT_MODEL=MODEL,
        THINKBOT_HEALTH_PORT=str(port),
        THINKBOT_SLACK_POST_INTERVAL="0",
        **extra,
    )


async def test_sigterm_mid_chain_drains_then_posts_interrupted_in_the_thread(
    tmp_path: Path, slack: FakeSlack, fake_groq: FakeGroq, redis_url: str, http: aiohttp.ClientSession
):
    fake_groq.reply(step("first")).hang()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = slack_env(slack, fake_groq, redis_url, port, THINKBOT_SHUTDOWN_GRACE="1", THINKBOT_LOG_FORMAT="json")
    bot = await start("thinkbot run --only slack", env=env, cwd=tmp_path)
    await bot.ready(http, url)
    mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="what is 17 * 23?")
    await slack.socket.deliver_event(mention.payload)
    asked = mention.message.ts
    await until_asked(fake_groq, 2, timeout=10)  # the first step done

    bot.terminate()
    async with http.get(f"{url}/readyz") as response:  # still serving while it drains, but not ready
        assert response.status == 503
        assert (await response.json())["draining"] is True
    code, err = await bot.finished()

    assert code == 0, err
    replies = [m.text for m in slack.record.thread(CHANNEL, asked)]
    assert any(INTERRUPTED in text for text in replies), replies
    assert slack.socket.open_connections == 0
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    chain_ids = {line.get("chain_id") for line in lines} - {None}
    assert len(chain_ids) == 1
    events = [line["event"] for line in lines if "event" in line]
    assert events[:2] == ["ChainStarted", "Step"]
    assert events[-1] == "ChainFailed"
    assert any("interrupting 1 chain" in line["message"] for line in lines)
    for secret in (slack.workspace.bot_token, slack.workspace.app_token, fake_groq.api_key, "17 * 23"):
        assert secret not in err


async def test_sigterm_while_idle_exits_at_once(
    tmp_path: Path, slack: FakeSlack, fake_groq: FakeGroq, redis_url: str, http: aiohttp.ClientSession
):
    port = free_port()
    bot = await start("thinkbot run", env=slack_env(slack, fake_groq, redis_url, port), cwd=tmp_path)
    await bot.ready(http, f"http://127.0.0.1:{port}")
    bot.terminate()
    code, err = await bot.finished(timeout=5)
    assert code == 0, err
    assert "drained: 0 finished, 0 interrupted" in err
