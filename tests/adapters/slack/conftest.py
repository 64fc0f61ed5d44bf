"""The Slack adapter end to end: the real bolt app and slack_sdk client, the real core service (fake Groq, real or
embedded Redis) and the fake Slack, all on loopback."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from adapters.slack import SlackBot, SlackOptions, web_client
from adapters.slack.modes import Served, serve_http, serve_socket_mode
from bot.slack_settings import SlackSettings
from bot.wiring import Services, build_toggles
from tests.adapters.slack.chains import Scripts
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack, Message
from tests.service_kit import running_service

CHANNEL = "C0GENERAL"
ALICE = "U0ALICE"
BOB = "U0BOB"
FAST = SlackOptions(post_interval=0.0, max_retries=3)


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
    slack: FakeSlack
    bot: SlackBot
    services: Services
    served: Served

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


def slack_settings(**values: Any) -> SlackSettings:
    return SlackSettings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def harness(
    slack: FakeSlack,
    groq: FakeGroq,
    *,
    mode: str = "socket",
    redis_url: str | None = None,
    options: SlackOptions = FAST,
    services: Services | None = None,
    on_rate_limited: Callable[[], None] | None = None,
    toggle_rates: dict[str, str] | None = None,
    **settings: Any,
) -> AsyncIterator[Harness]:
    """A SlackBot served in ``mode`` against ``slack``; ``services`` reuses a running core (a "restart").
    ``toggle_rates``: ``toggle_rate_message``/``toggle_rate_user`` for the bot (else the settings' defaults)."""
    async with contextlib.AsyncExitStack() as stack:
        if services is None:
            services = await stack.enter_async_context(running_service(groq=groq, redis_url=redis_url, **settings))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        client = web_client(
            token=slack.workspace.bot_token,
            base_url=slack.api_url,
            options=options,
            session=session,
            on_rate_limited=on_rate_limited,
        )
        bot = SlackBot(
            service=services.service,
            client=client,
            options=options,
            toggles=build_toggles(services.store, slack_settings(**(toggle_rates or {}))),
            signing_secret=slack.workspace.signing_secret,
        )
        stack.push_async_callback(bot.aclose)
        if mode == "socket":
            served = await stack.enter_async_context(
                serve_socket_mode(bot, app_token=slack.workspace.app_token, host="127.0.0.1", port=0)
            )
            await slack.socket.wait_connected()
        else:
            served = await stack.enter_async_context(serve_http(bot, host="127.0.0.1", port=0))
        yield Harness(slack=slack, bot=bot, services=services, served=served)
