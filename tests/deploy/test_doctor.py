"""``thinkbot doctor`` against the fakes and a real redis-server, with good and bad tokens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.discord import invite_url
from bot.discord_settings import DiscordSettings
from bot.doctor import diagnose
from bot.doctor_checks import Finding
from bot.slack_settings import SlackSettings
from tests.deploy.process import clean_environment, start
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.redis_server import free_port
from tests.run_kit import MODEL
from tests.service_kit import settings_for

URL_LINE = re.compile(r"https?://\S+")


def discord_settings(fake: FakeDiscord, **values: object) -> DiscordSettings:
    values.setdefault("token", fake.token)
    return DiscordSettings(_env_file=None, api_base=fake.api_base, gateway_url=fake.gateway_url, **values)  # type: ignore[call-arg]


def slack_settings(fake: FakeSlack, **values: object) -> SlackSettings:
    ws = fake.workspace
    values = {"bot_token": ws.bot_token, "app_token": ws.app_token, **values}
    return SlackSettings(_env_file=None, api_url=fake.api_url, **values)  # type: ignore[call-arg]


def by_name(findings: list[Finding]) -> dict[str, Finding]:
    return {f.name: f for f in findings}


async def test_everything_configured_and_good(
    fake_groq: FakeGroq, redis_url: str, discord_fake: FakeDiscord, slack: FakeSlack
):
    core = settings_for(groq=fake_groq, redis_url=redis_url)
    rows = by_name(await diagnose(core, discord_settings(discord_fake), slack_settings(slack)))
    assert {name: row.status for name, row in rows.items()} == {
        "Groq": "ok",
        "Redis": "ok",
        "Discord": "ok",
        "Discord invite": "ok",
        "Slack bot token": "ok",
        "Slack app token": "ok",
    }
    assert MODEL in rows["Groq"].detail
    assert rows["Redis"].detail.split(": Redis ")[1][0].isdigit()
    assert f"client_id={discord_fake.bot_id}" in rows["Discord invite"].url
    assert "socket mode" in rows["Slack bot token"].detail
    assert [r.path for r in fake_groq.requests] == ["/openai/v1/models"]


async def test_bad_tokens_fail_with_a_fix_and_never_show_the_token(
    fake_groq: FakeGroq, discord_fake: FakeDiscord, slack: FakeSlack
):
    core = settings_for(groq=fake_groq, groq_api_key="gsk_wrongwrongwrong")
    discord = discord_settings(discord_fake, token="MTAwMDAwMDAwMDAwMDAwMDA.bad.token-value")
    bad_app = "xapp-1-A0-0000-notreal"
    rows = by_name(
        await diagnose(core, discord, slack_settings(slack, bot_token="xoxb-0-not-a-real-one", app_token=bad_app))
    )
    assert rows["Groq"].status == rows["Discord"].status == rows["Slack bot token"].status == "fail"
    assert "401" in rows["Groq"].detail
    assert "GROQ_API_KEY" in rows["Groq"].fix
    assert "DISCORD_TOKEN" in rows["Discord"].fix
    assert "invalid_auth" in rows["Slack bot token"].detail
    assert rows["Redis"].status == "warn"  # embedded store: works, but loses state on restart
    text = repr(list(rows.values()))
    for secret in ("gsk_wrongwrongwrong", "bad.token-value", "xoxb-0-not", bad_app):
        assert secret not in text

    rows = by_name(await diagnose(settings_for(groq=fake_groq), discord, slack_settings(slack, app_token=bad_app)))
    assert rows["Slack bot token"].status == "ok"
    assert rows["Slack app token"].status == "fail"
    assert "SLACK_APP_TOKEN" in rows["Slack app token"].fix


async def test_unknown_model_unreachable_redis_and_no_adapter(fake_groq: FakeGroq):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    core = settings_for(groq=fake_groq, model="llama-3.3-70b-versatile", redis_url=dead)
    # empty values, as an uncommented "NAME=" line in .env gives them, count as not set
    nothing = DiscordSettings(_env_file=None, token=""), SlackSettings(_env_file=None, bot_token=" ")  # type: ignore[call-arg]
    rows = by_name(await diagnose(core, *nothing))
    assert rows["Groq"].status == "fail"
    assert "THINKBOT_MODEL" in rows["Groq"].fix
    assert (rows["Redis"].status, rows["Redis"].detail.split(":")[0]) == ("fail", "redis")
    assert "REDIS_URL" in rows["Redis"].fix
    assert rows["Discord"].status == rows["Slack"].status == "skip"
    assert rows["Adapters"].status == "fail"


@pytest.mark.timeout(30)
async def test_the_command_prints_the_table_and_exits_by_the_worst_status(
    tmp_path: Path, fake_groq: FakeGroq, redis_url: str, slack: FakeSlack
):
    ws = slack.workspace
    env = clean_environment(
        GROQ_API_KEY=fake_groq.api_key, GROQ_BASE_URL=fake_groq.base_url, THINKBOT_MODEL=MODEL, REDIS_URL=redis_url,
        SLACK_BOT_TOKEN=ws.bot_token, SLACK_SIGNING_SECRET=ws.signing_secret, SLACK_API_URL=slack.api_url,
    )  # fmt: skip
    good = await start("thinkbot doctor", env=env, cwd=tmp_path)
    code, err = await good.finished()
    assert code == 0, err
    bad = await start("thinkbot doctor", env=env | {"SLACK_BOT_TOKEN": "xoxb-revoked-123456"}, cwd=tmp_path)
    code, err = await bad.finished()
    assert code == 1
    assert "1 problem(s): Slack bot token." in err
    assert "xoxb-revoked" not in err


@pytest.mark.timeout(30)
async def test_the_table_fits_80_columns_and_the_invite_url_is_whole_on_its_own_line(
    tmp_path: Path, fake_groq: FakeGroq, discord_fake: FakeDiscord, slack: FakeSlack
):
    """A warning (no REDIS_URL) and a failure (a revoked Slack token) bring long details and fixes to wrap."""
    env = clean_environment(
        GROQ_API_KEY=fake_groq.api_key, GROQ_BASE_URL=fake_groq.base_url, THINKBOT_MODEL=MODEL,
        DISCORD_TOKEN=discord_fake.token, THINKBOT_DISCORD_API_BASE=discord_fake.api_base,
        SLACK_BOT_TOKEN="xoxb-revoked-123456", SLACK_SIGNING_SECRET=slack.workspace.signing_secret,
        SLACK_API_URL=slack.api_url, COLUMNS="80",
    )  # fmt: skip
    doctor = await start("thinkbot doctor", env=env, cwd=tmp_path, output=True)
    code, out, err = await doctor.finished_with_output()
    assert code == 1, err
    lines = out.splitlines()
    invite = invite_url(discord_fake.bot_id)
    assert invite in lines  # whole, alone on its line: no border, no wrap
    assert [line for line in lines if len(line) > 80 and not URL_LINE.fullmatch(line)] == []
    text = " ".join(line.strip() for line in lines)
    for words in ("Set REDIS_URL", "SLACK_BOT_TOKEN", "open it to add the bot to a server"):
        assert words in text
