"""``thinkbot slack`` (``thinkbot run --only slack``): settings, start-up errors, and the bot serving a mention until
stopped."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.run import run
from bot.slack_settings import SlackSettings, load_slack_settings
from core.errors import ConfigError
from tests.adapters.slack.chains import Scripts
from tests.adapters.slack.conftest import ALICE, CHANNEL
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.run_kit import make_plan, running

pytestmark = pytest.mark.timeout(30)

BOT_TOKEN = "xoxb-1-zq7-bot-token"


def slack_settings(**values: object) -> SlackSettings:
    return SlackSettings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/tmp")  # no .env from the checkout


def test_mode_and_credentials_come_from_the_tokens() -> None:
    socket = slack_settings(bot_token=BOT_TOKEN, app_token="xapp-1-zq7-app")
    assert socket.mode == "socket"
    assert socket.credentials().app_token == "xapp-1-zq7-app"
    http = slack_settings(bot_token=BOT_TOKEN, signing_secret="zq7-signing")
    assert (http.mode, http.credentials().signing_secret) == ("http", "zq7-signing")
    for bad, named in [
        (slack_settings(), "SLACK_BOT_TOKEN"),
        (slack_settings(bot_token="xapp-zq7-wrong-kind"), "SLACK_BOT_TOKEN"),
        (slack_settings(bot_token=BOT_TOKEN, app_token="xoxb-zq7-not-an-app-token"), "SLACK_APP_TOKEN"),
        (slack_settings(bot_token=BOT_TOKEN), "SLACK_SIGNING_SECRET"),
    ]:
        with pytest.raises(ConfigError, match=named) as caught:
            bad.credentials()
        assert "zq7" not in str(caught.value)
    assert "zq7" not in repr(http) + repr(http.credentials()) + repr(socket) + repr(socket.credentials())


def test_invalid_values_name_their_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THINKBOT_SLACK_EXPAND_REACTION", ":mag:")
    monkeypatch.setenv("SLACK_API_URL", "ftp://example")
    with pytest.raises(ConfigError) as caught:
        load_slack_settings()
    assert "THINKBOT_SLACK_EXPAND_REACTION" in str(caught.value)
    assert "SLACK_API_URL" in str(caught.value)
    monkeypatch.setenv("THINKBOT_SLACK_EXPAND_REACTION", "eyes")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    loaded = load_slack_settings()
    assert (loaded.api_url, loaded.options().expand_reaction) == ("http://127.0.0.1:9/api/", "eyes")


def test_cli_refuses_to_start_without_a_token() -> None:
    result = CliRunner().invoke(cli, ["slack"])
    assert result.exit_code == 2
    assert "SLACK_BOT_TOKEN" in result.output


async def test_run_answers_over_socket_mode_until_stopped(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    async with running(make_plan(fake_groq, None, slack_fake=slack)) as bot:
        await slack.socket.wait_connected()
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="are you running?")
        await slack.socket.deliver_event(mention.payload)
        assert mention.message is not None
        asked = mention.message.ts
        replies = await slack.record.wait_thread(CHANNEL, asked, 2)
        await slack.record.wait_for(
            lambda: any(m.text.startswith("Answer:") for m in slack.record.thread(CHANNEL, asked)), what="the answer"
        )
        report = await bot.stopped()
    assert (report.finished, report.interrupted) == (1, ())
    assert replies[0].thread_ts == asked
    assert slack.socket.open_connections == 0


async def test_run_stops_on_a_refused_token(slack: FakeSlack, fake_groq: FakeGroq):
    plan = make_plan(fake_groq, None, slack_fake=slack, slack_mode="http", slack_values={"bot_token": "xoxb-wrong"})
    with pytest.raises(ConfigError, match="invalid_auth"):
        await run(plan, stop=asyncio.Event())


def test_manifest_asks_for_what_the_bot_listens_to() -> None:
    from pathlib import Path

    manifest = (Path(__file__).parents[3] / "manifest.yml").read_text()
    listed = {line.strip().removeprefix("- ") for line in manifest.splitlines() if line.strip().startswith("- ")}
    scopes = {"app_mentions:read", "chat:write", "commands", "reactions:read", "reactions:write", "im:history"}
    scopes |= {"channels:history", "groups:history"}
    events = {"app_mention", "message.im", "reaction_added", "reaction_removed"}
    assert scopes | events | {"command: /think"} <= listed
    assert "socket_mode_enabled: true" in manifest
