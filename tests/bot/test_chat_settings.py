"""The chat adapters' shared settings: the thread cap and the toggle rates, read per platform, checked at load."""

from __future__ import annotations

import pytest

from bot.discord_settings import load_discord_settings
from bot.slack_settings import load_slack_settings
from core.errors import ConfigError


def test_defaults_reach_the_options() -> None:
    discord = load_discord_settings(_env_file=None)
    slack = load_slack_settings(_env_file=None)
    assert (discord.thread_messages, discord.toggle_rate_message, discord.toggle_rate_user) == (12, "6/1m", "20/1m")
    assert discord.options(strategies=("g1",)).thread_messages == 12
    assert slack.options().thread_messages == 12


def test_each_platform_reads_its_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THINKBOT_DISCORD_THREAD_MESSAGES", "20")
    monkeypatch.setenv("THINKBOT_SLACK_TOGGLE_RATE_USER", "5/30s")
    assert load_discord_settings(_env_file=None).options(strategies=()).thread_messages == 20
    assert load_slack_settings(_env_file=None).toggle_rate_user == "5/30s"
    assert load_slack_settings(_env_file=None).thread_messages == 12


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("THINKBOT_DISCORD_THREAD_MESSAGES", "2"),
        ("THINKBOT_DISCORD_TOGGLE_RATE_MESSAGE", "often"),
        ("THINKBOT_DISCORD_TOGGLE_RATE_USER", "0/1m"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_discord_settings(_env_file=None)
