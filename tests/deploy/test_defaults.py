"""What a new deploy starts before anyone has set a chat token: every process that starts by default (app.json's
formation with a quantity above 0; every group in fly.toml's ``[processes]``, which ``fly deploy`` gives machines)
stays up with only the LLM key set, says what to set, and stops cleanly; the processes one splits into stay
documented, and nothing else starts."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from bot.cli import cli
from bot.run import NO_CREDENTIALS
from tests.deploy.lock import ROOT
from tests.deploy.manifests import procfile
from tests.deploy.process import clean_environment, start
from tests.fakes.groq_server import FakeGroq
from tests.redis_server import free_port

pytestmark = pytest.mark.timeout(60)

STAY_UP = 1.0
# A fly.toml comment line that documents a process group one may uncomment: `#   discord = "thinkbot ..."`.
_COMMENTED_GROUP = re.compile(r'^\s*#\s*([a-z_]+)\s*=\s*"(thinkbot [^"]*)"\s*$')


def app_json() -> dict:
    return json.loads((ROOT / "app.json").read_text())


def fly_toml() -> dict:
    return tomllib.loads((ROOT / "fly.toml").read_text())


def heroku_defaults() -> dict[str, str]:
    """The Procfile commands of the process types app.json's formation starts (quantity above 0)."""
    commands = procfile()
    return {name: commands[name] for name, item in app_json()["formation"].items() if item["quantity"] > 0}


def fly_defaults() -> dict[str, str]:
    """Every group of fly.toml's ``[processes]``: ``fly deploy`` creates machines for each, even one scaled to 0."""
    return dict(fly_toml()["processes"])


def fly_documented_groups() -> dict[str, str]:
    """The groups fly.toml shows commented out, for splitting the default one."""
    lines = (ROOT / "fly.toml").read_text().splitlines()
    return {m.group(1): m.group(2) for m in map(_COMMENTED_GROUP.match, lines) if m}


DEFAULTS = sorted({*heroku_defaults().values(), *fly_defaults().values()})


def test_one_process_starts_by_default_on_heroku_and_on_fly_and_it_runs_every_adapter():
    assert heroku_defaults() == {"all": "thinkbot run"}
    assert {name: item["quantity"] for name, item in app_json()["formation"].items()} == {
        "all": 1,
        "discord": 0,
        "slack": 0,
        "web": 0,
        "worker": 0,
    }
    assert fly_defaults() == {"app": "thinkbot run"}
    documented = fly_documented_groups()
    assert set(documented) == {"discord", "slack", "worker"}
    assert set(documented.values()) <= set(procfile().values())
    for command in DEFAULTS:
        program, verb, *args = shlex.split(command)
        assert (program, verb, args) == ("thinkbot", "run", []), "the default process runs every adapter"
        cli.commands[verb].make_context(verb, args)


@pytest.mark.parametrize("command", DEFAULTS)
async def test_a_default_process_with_no_chat_token_stays_up_says_what_to_set_and_stops_cleanly(
    command: str, tmp_path: Path, fake_groq: FakeGroq
):
    """Only the Groq key (as a Heroku button or `fly secrets set` leaves it before any chat token): no crash loop."""
    port = free_port()
    env = clean_environment(
        GROQ_API_KEY=fake_groq.api_key, GROQ_BASE_URL=fake_groq.base_url, PORT=str(port), THINKBOT_LOG_FORMAT="json"
    )
    process = await start(command, env=env, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            await process.ready(http, url)
            await asyncio.sleep(STAY_UP)
            assert process.process.returncode is None, "exited"
            async with http.get(f"{url}/healthz") as response:
                assert response.status == 200
    finally:
        process.terminate()
        code, err = await process.finished()
    assert code == 0, err
    said = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    warnings = [record["message"] for record in said if record["level"] == "WARNING"]
    assert warnings.count(NO_CREDENTIALS) == 1
    assert "Traceback" not in err
    assert fake_groq.api_key not in err
    assert not fake_groq.requests, "nothing to think about"


def test_app_json_asks_only_for_what_a_user_sets():
    env = app_json()["env"]
    test_only = {"GROQ_BASE_URL", "THINKBOT_DISCORD_API_BASE", "THINKBOT_DISCORD_GATEWAY_URL", "SLACK_API_URL"}
    assert not test_only & set(env)
    assert {"GROQ_API_KEY", "DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"} <= set(env)
    assert len(env) <= 20, sorted(env)


def test_the_readme_has_a_well_formed_deploy_to_heroku_button():
    text = (ROOT / "README.md").read_text()
    buttons = re.findall(r"\[!\[Deploy to Heroku\]\(([^)]+)\)\]\(([^)]+)\)", text)
    assert len(buttons) == 1
    image, link = buttons[0]
    assert image == "https://www.herokucdn.com/deploy/button.svg"
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "heroku.com", "/deploy")
    (template,) = parse_qs(parts.query, strict_parsing=True)["template"]
    repository = urlsplit(template)
    assert (repository.scheme, repository.netloc) == ("https", "github.com")
    assert re.fullmatch(r"/[\w.-]+/[\w.-]+", repository.path), template
    if repository.path == "/OWNER/REPO":  # a placeholder: the README says to put the repository's own there
        assert text.count("OWNER/REPO") >= 2, "the README asks a fork to fill in OWNER/REPO"
