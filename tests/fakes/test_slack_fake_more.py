"""The fake Slack's workspace roles in ``users.info`` and its slow replies, proven with the real slack_sdk."""

from __future__ import annotations

import asyncio
import time

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack, User, Workspace

pytestmark = pytest.mark.timeout(20)

CHANNEL = "C0GENERAL"


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


async def test_users_info_reports_admins_and_owners() -> None:
    people = (
        User(id="U0ALICE", name="alice"),
        User(id="U0ADA", name="ada", is_admin=True),
        User(id="U0OWEN", name="owen", is_owner=True),
    )
    async with FakeSlack(workspace=Workspace(users=people)) as slack:
        client = AsyncWebClient(token=slack.workspace.bot_token, base_url=slack.api_url)
        roles = {}
        for person in people:
            user = (await client.users_info(user=person.id))["user"]
            roles[person.name] = (user["is_admin"], user["is_owner"], user["is_primary_owner"])
    assert roles == {"alice": (False, False, False), "ada": (True, False, False), "owen": (True, True, False)}


async def test_a_slow_reply_comes_after_the_message_is_visible() -> None:
    async with FakeSlack(post_interval=0.0, reply_delays={"chat.postMessage": 0.3}) as slack:
        client = AsyncWebClient(token=slack.workspace.bot_token, base_url=slack.api_url)
        started = time.monotonic()
        posting = asyncio.ensure_future(client.chat_postMessage(channel=CHANNEL, text="hello"))
        [message] = await slack.record.wait_messages(CHANNEL, 1)
        visible_after = time.monotonic() - started
        reply = await posting
        reply_after = time.monotonic() - started
    assert reply["ts"] == message.ts
    assert visible_after < 0.3 <= reply_after


async def test_outside_the_marketplace_replies_are_one_call_a_minute_of_15_messages() -> None:
    async with FakeSlack(post_interval=0.0, non_marketplace=True) as slack:
        client = AsyncWebClient(token=slack.workspace.bot_token, base_url=slack.api_url)
        parent = slack.users.say(channel=CHANNEL, user="U0ALICE", text="q")
        for i in range(20):
            await client.chat_postMessage(channel=CHANNEL, text=f"r{i}", thread_ts=parent.ts)
        page = await client.conversations_replies(channel=CHANNEL, ts=parent.ts, limit=200)
        with pytest.raises(SlackApiError) as refused:
            await client.conversations_replies(
                channel=CHANNEL, ts=parent.ts, cursor=page["response_metadata"]["next_cursor"]
            )
    assert (len(page["messages"]), page["has_more"]) == (15, True)
    assert refused.value.response.status_code == 429
    assert refused.value.response["error"] == "ratelimited"
    assert 55 <= int(refused.value.response.headers["Retry-After"]) <= 60
