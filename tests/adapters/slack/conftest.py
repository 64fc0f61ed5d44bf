"""The Slack adapter end to end, started as production starts it (``thinkbot run --only slack``, through
``tests.run_kit``): the real bolt app and slack_sdk client, the real core service (fake Groq, real or embedded
Redis) and the fake Slack, all on loopback."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, fields
from typing import Any, Literal

import pytest

from adapters.slack import SlackBot, SlackOptions
from bot.slack_settings import SlackSettings
from core.metrics import Metrics
from tests.adapters.slack.chains import Scripts
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack, Message
from tests.run_kit import make_plan, running

CHANNEL = "C0GENERAL"
ALICE = "U0ALICE"
BOB = "U0BOB"
FAST = SlackOptions(post_interval=0.0, max_retries=3)
GRACE = 0.2  # seconds a chain still running when a test's bot stops may finish before it is interrupted


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk honours proxy variables; keep every byte on loopback."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def scripts(fake_groq: FakeGroq) -> Iterator[Scripts]:
    chains = Scripts()
    fake_groq.respond_with(chains.responder())
    return chains


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(post_interval=0.02, post_burst=50) as fake:
        yield fake


@dataclass
class Harness:
    """A running bot: ``url`` serves the health paths (and, in HTTP mode, ``/slack/events``)."""

    slack: FakeSlack
    bot: SlackBot
    url: str
    metrics: Metrics

    async def deliver(self, payload: dict[str, Any]) -> str:
        return await self.slack.socket.deliver_event(payload)

    async def ask(self, text: str, *, user: str = ALICE, thread_ts: str | None = None) -> Message:
        """Mention the bot in ``CHANNEL`` and return the user's message."""
        mention = self.slack.users.mention(channel=CHANNEL, user=user, text=text, thread_ts=thread_ts)
        await self.deliver(mention.payload)
        assert mention.message is not None
        return mention.message

    async def answered(self, parent_ts: str, *, channel: str = CHANNEL, timeout: float = 5.0) -> list[Message]:  # noqa: ASYNC109
        """Wait until the thread under ``parent_ts`` holds an answer (or a failure note); return the replies."""

        def done() -> list[Message]:
            replies = self.slack.record.thread(channel, parent_ts)
            finished = any(m.text.startswith(("Answer:", ":warning:", ":octagonal_sign:")) for m in replies)
            return replies if finished else []

        await self.slack.record.wait_for(done, timeout=timeout, what=f"an answer under {parent_ts}")
        await self.bot.wait_idle()
        return self.slack.record.thread(channel, parent_ts)


def option_settings(options: SlackOptions) -> dict[str, Any]:
    """The Slack settings that give the bot ``options`` (an option no setting makes must keep its default)."""
    values = {f.name: getattr(options, f.name) for f in fields(options)}
    layout, stream = values.pop("layout"), values.pop("stream")
    values.pop("layouts")  # made by the settings from the display's layouts
    values["admin_users"] = ",".join(sorted(values["admin_users"]))
    values |= {
        "display": "stream" if stream else layout.display,
        "group_steps": layout.group_steps,
        "group_chars": layout.group_chars,
        "progress_seconds": layout.progress_every,
    }
    unset = {name for name in values if name not in SlackSettings.model_fields}
    assert all(values[name] == getattr(SlackOptions(), name) for name in unset), f"no setting makes {unset}"
    return {name: value for name, value in values.items() if name not in unset}


@contextlib.asynccontextmanager
async def harness(
    slack: FakeSlack,
    groq: FakeGroq,
    *,
    mode: Literal["socket", "http"] = "socket",
    redis_url: str | None = None,
    options: SlackOptions = FAST,
    keep_state: bool = False,
    metrics: Metrics | None = None,
    toggle_rates: dict[str, str] | None = None,
    **settings: Any,
) -> AsyncIterator[Harness]:
    """``thinkbot run --only slack`` in ``mode`` against ``slack``; keyword arguments are core settings.

    Two harnesses with the same ``redis_key_prefix`` (and a ``redis_url``) share their state, like replicas or a
    bot before and after a restart; ``keep_state=True`` leaves the keys for the next one. ``toggle_rates``:
    ``toggle_rate_message``/``toggle_rate_user`` (else the settings' defaults).
    """
    metrics = metrics or Metrics()
    settings.setdefault("shutdown_grace", GRACE)
    values = option_settings(options) | (toggle_rates or {})
    plan = make_plan(groq, redis_url, slack_fake=slack, slack_mode=mode, slack_values=values, **settings)
    async with running(plan, keep_state=keep_state, metrics=metrics) as bot:
        assert bot.started.slack is not None
        if mode == "socket":
            await slack.socket.wait_connected()
        yield Harness(slack=slack, bot=bot.started.slack, url=bot.url, metrics=metrics)
