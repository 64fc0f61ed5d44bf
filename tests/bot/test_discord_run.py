"""Discord's part of ``thinkbot run`` (``bot.discord_run``), against the fake Discord."""

from __future__ import annotations

import asyncio

import pytest

from bot.run import run
from core.errors import ConfigError
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.run_kit import make_plan


async def test_a_refused_token_is_a_settings_error_that_names_it(fake_groq: FakeGroq) -> None:
    """``thinkbot run`` prints a ConfigError and exits 2: the refusal is one, as Slack's is, not a crash."""
    async with FakeDiscord() as fake:
        plan = make_plan(fake_groq, None, discord_fake=fake, discord_values={"token": "not-the-token"})
        with pytest.raises(ConfigError, match=r"Discord refused the token \(DISCORD_TOKEN\)"):
            await asyncio.wait_for(run(plan, stop=asyncio.Event()), timeout=20)
