"""``thinkbot run`` refuses to start, naming the variable to set, when the adapters it should run lack credentials
(with none set and no ``--only`` it waits instead: tests/deploy/test_defaults.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.run import plan
from bot.run_command import run_command
from tests.deploy.process import clean_environment


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in list(os.environ):
        if name not in clean_environment():
            monkeypatch.delenv(name)
    monkeypatch.setenv("GROQ_API_KEY", "gsk_test_value_123456")


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--only", "discord"], {}, "DISCORD_TOKEN is not set"),
        (["--only", "slack"], {}, "SLACK_BOT_TOKEN"),
        (["--only", "discord"], {"SLACK_BOT_TOKEN": "xoxb-1-2"}, "DISCORD_TOKEN is not set"),
        (["--only", "slack"], {"SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ([], {"DISCORD_TOKEN": "t", "THINKBOT_SHUTDOWN_GRACE": "-1"}, "THINKBOT_SHUTDOWN_GRACE"),
        ([], {"DISCORD_TOKEN": "t", "THINKBOT_LOG_FORMAT": "xml"}, "THINKBOT_LOG_FORMAT"),
    ],
)
def test_bad_or_missing_credentials_exit_2_naming_the_variable(args, env, named, monkeypatch: pytest.MonkeyPatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(run_command, args)
    assert result.exit_code == 2
    assert named in result.output
    assert "gsk_test_value" not in result.output


def test_each_adapter_with_credentials_is_planned_and_empty_tokens_do_not_count(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DISCORD_TOKEN", "token")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    chosen = plan()
    assert (chosen.discord is not None, chosen.slack) == (True, None)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret-value")
    both = plan()
    assert both.discord is not None
    assert both.slack is not None
    assert set(both.secrets()) >= {"token", "xoxb-1-2", "secret-value", "gsk_test_value_123456"}
    only = plan(("slack",))
    assert only.discord is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("redis://:hunter2pw@localhost:notaport/0", "port is not a number"),
        ("redis://:hunter2pw@localhost:99999", "port is out of range"),
        ("http://:hunter2pw@localhost:6379", "must start with redis:// or rediss://"),
        ("redis://:hunter2pw@[::1:6379", "[IPv6] host is not closed"),
        ("redis://:hunter2pw@localhost:6379/zero", "database (after the last /) must be a number"),
        ("redis://:hunter2pw@:6379", "names no host"),
    ],
)
@pytest.mark.parametrize("command", ["run", "ask"])
def test_a_malformed_redis_url_stops_start_up_in_one_line_naming_the_variable(
    url: str, says: str, command: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    args = ["run"] if command == "run" else ["ask", "How many Rs are in strawberry?"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "REDIS_URL" in lines[0]
    assert says in lines[0]
    assert "hunter2pw" not in result.output
