"""A new strategy is one module plus one registry line: a throwaway one, registered, is offered and run everywhere."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Iterator

import pytest
from click.testing import CliRunner

from adapters.discord import AdapterContext, DiscordOptions
from adapters.discord.command import build_think_command
from bot.cli import cli
from bot.discord_settings import DiscordSettings
from bot.settings import load_settings
from bot.wiring import build_toggles
from core.errors import ConfigError
from core.events import ChainStarted, FinalAnswer, Step
from core.llm.types import Usage
from core.request import ThinkRequest
from core.strategies.base import ChainContext
from core.strategies.registry import STRATEGIES, StrategyEntry
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service


class EchoStrategy:
    """Answers with the question itself, in one step, without calling the LLM."""

    name = "echo"

    async def run(self, ctx: ChainContext) -> AsyncGenerator[Step | FinalAnswer, None]:
        began = time.monotonic()
        yield Step(chain_id=ctx.chain_id, index=1, title="Echo", content=ctx.question, elapsed=0.0, usage=Usage())
        yield FinalAnswer(
            chain_id=ctx.chain_id, text=f"You asked: {ctx.question}", total_time=time.monotonic() - began,
            usage=Usage(), steps=1,
        )  # fmt: skip


@pytest.fixture
def echo() -> Iterator[StrategyEntry]:
    with STRATEGIES.added(StrategyEntry(name="echo", description="says the question back", build=EchoStrategy)) as e:
        yield e


@pytest.mark.usefixtures("echo")
def test_settings_accept_a_registered_strategy_and_name_the_choices_otherwise() -> None:
    assert load_settings(_env_file=None, strategy="echo").strategy == "echo"
    with pytest.raises(ConfigError) as refused:
        load_settings(_env_file=None, strategy="nope")
    choices = "g1, berry, bare, native, echo"
    assert f"THINKBOT_STRATEGY: unknown strategy 'nope'; choose one of: {choices}" in str(refused.value)


@pytest.mark.usefixtures("echo")
def test_the_cli_offers_a_registered_strategy() -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["ask", "--help"], terminal_width=120)
    assert "--strategy [g1|berry|bare|native|echo]" in shown.output
    refused = runner.invoke(cli, ["ask", "--strategy", "nope", "q"])
    assert refused.exit_code == 2
    assert "'nope' is not one of 'g1', 'berry', 'bare', 'native', 'echo'" in refused.output


def test_the_cli_no_longer_offers_it_once_it_is_gone() -> None:
    shown = CliRunner().invoke(cli, ["ask", "--help"], terminal_width=120)
    assert "--strategy [g1|berry|bare|native]" in shown.output


@pytest.mark.usefixtures("echo")
async def test_the_wiring_runs_it_and_discord_offers_it(fake_groq: FakeGroq) -> None:
    assert DiscordOptions().strategies == ("g1", "berry", "bare", "native", "echo")
    async with running_service(groq=fake_groq, strategy="echo") as services:
        service = services.service
        assert service.strategy_names == ("g1", "berry", "bare", "native", "echo")
        events = [e async for e in service.think(ThinkRequest(question="Is this on?"))]
        store, settings = services.store, DiscordSettings(_env_file=None)  # type: ignore[call-arg]
        ctx = AdapterContext(
            service=service,
            options=settings.options(strategies=service.strategy_names),
            toggles=build_toggles(store, settings),
        )
        command = build_think_command(ctx)
    started, answer = events[0], events[-1]
    assert isinstance(started, ChainStarted)
    assert started.strategy == "echo"
    assert isinstance(answer, FinalAnswer)
    assert answer.text == "You asked: Is this on?"
    assert fake_groq.chat_requests == []
    [strategy] = [p for p in command.parameters if p.name == "strategy"]
    assert [c.value for c in strategy.choices] == ["g1", "berry", "bare", "native", "echo"]
