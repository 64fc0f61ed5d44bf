"""``thinkbot discord`` as a user runs it: --invite, settings errors, and the bot process against the fake Discord."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.discord_settings import DiscordSettings, load_discord_settings
from core.errors import ConfigError
from tests.adapters.discord.conftest import Place, script_chain
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq

THINKBOT = str(Path(sys.executable).with_name("thinkbot"))
pytestmark = pytest.mark.timeout(40)


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THINKBOT_", "GROQ_", "DISCORD_", "REDIS_"))}
    return env | extra


async def run(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        THINKBOT, *args, cwd=tmp_path, env=environment(tmp_path, **env), stdout=-1, stderr=-1
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, out.decode(), err.decode()


async def test_invite_prints_the_url_for_the_application(tmp_path: Path) -> None:
    code, out, _ = await run(tmp_path, "discord", "--invite", DISCORD_APPLICATION_ID="4242")
    assert code == 0
    query = parse_qs(urlsplit(out.strip()).query)
    assert (query["client_id"], query["scope"]) == (["4242"], ["bot applications.commands"])


async def test_missing_token_is_named_and_nothing_secret_is_printed(tmp_path: Path) -> None:
    code, _, err = await run(tmp_path, "discord", GROQ_API_KEY="gsk_secret_value")
    assert code == 2
    assert "DISCORD_TOKEN is not set" in err
    assert "gsk_secret_value" not in err


def test_settings_errors_name_the_variable_and_ids_parse_from_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THINKBOT_DISCORD_GUILD_IDS", "12, 34")
    assert DiscordSettings(_env_file=None).guild_ids == (12, 34)  # type: ignore[call-arg]

    monkeypatch.setenv("THINKBOT_DISCORD_THREAD_ARCHIVE_MINUTES", "7")
    with pytest.raises(ConfigError, match="THINKBOT_DISCORD_THREAD_ARCHIVE_MINUTES"):
        load_discord_settings(_env_file=None)
    monkeypatch.delenv("THINKBOT_DISCORD_THREAD_ARCHIVE_MINUTES")
    token = DiscordSettings(_env_file=None, DISCORD_TOKEN="MTAwMDAwMDAwMDAwMDAwMDA.x.y")  # type: ignore[call-arg]
    assert token.invite_application_id() == 10000000000000000
    assert "MTAwMDAw" not in repr(token)


async def test_the_bot_process_answers_a_think_and_stops_on_sigint(
    tmp_path: Path, fake: FakeDiscord, fake_groq: FakeGroq, place: Place, redis_url: str
) -> None:
    script_chain(fake_groq, 2, answer="From the real entry point.")
    env = environment(
        tmp_path,
        DISCORD_TOKEN=fake.token,
        GROQ_API_KEY=fake_groq.api_key,
        GROQ_BASE_URL=fake_groq.base_url,
        REDIS_URL=redis_url,
        THINKBOT_REDIS_KEY_PREFIX=f"test{uuid.uuid4().hex[:12]}",
        THINKBOT_MODEL="meta-llama/llama-4-scout-17b-16e-instruct",
        THINKBOT_DISCORD_API_BASE=fake.api_base,
        THINKBOT_DISCORD_GATEWAY_URL=fake.gateway_url,
        THINKBOT_DISCORD_GUILD_IDS=str(place.guild),
        THINKBOT_LOG_LEVEL="DEBUG",
    )
    process = await asyncio.create_subprocess_exec(THINKBOT, "discord", cwd=tmp_path, env=env, stdout=-1, stderr=-1)
    try:
        await fake.wait_until(lambda: bool(fake.ctx.commands.listing(place.guild)), timeout=20, what="command sync")
        await fake.wait_until(lambda: bool(fake.record.connections), timeout=10, what="the gateway")
        options = {"question": "Entry?"}
        interaction = fake.run_command("think", user_id=place.alice, channel_id=place.channel, options=options)
        await fake.wait_until(
            lambda: any(
                "**Answer:** From the real entry point." in m.content for m in fake.record.messages(place.channel)
            ),
            timeout=10,
            what="the answer",
        )
    finally:
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), 15)
    log = err.decode()
    assert "DEBUG" in log  # the log level applied, yet no token is in it
    assert fake.token not in log
    assert interaction.token not in log
    assert fake_groq.api_key not in log
    assert not fake.ctx.commands.listing(None)  # guild sync only
    commands = {c["name"]: c for c in fake.ctx.commands.listing(place.guild)}
    think = commands["think"]
    assert [o["name"] for o in think["options"]] == ["question", "strategy", "model", "private", "fresh"]
    assert think["options"][0]["max_length"] == 4000  # THINKBOT_MAX_QUESTION_CHARS: Discord refuses longer text
    assert [c["value"] for c in think["options"][2]["choices"]] == ["meta-llama/llama-4-scout-17b-16e-instruct"]
    assert int(commands["thinkbot"]["default_member_permissions"]) == 1 << 5  # Manage Server
    assert [c["value"] for c in think["options"][1]["choices"]] == ["g1", "berry", "bare", "native"]
