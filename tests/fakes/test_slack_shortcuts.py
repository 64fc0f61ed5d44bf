"""The fake Slack's message shortcuts (``message_action``), proven with real bolt over Socket Mode and HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes import test_slack_fake as base
from tests.fakes.slack import FakeSlack
from tests.fakes.test_slack_fake import ALICE, CHANNEL, serve, socket_mode

pytestmark = pytest.mark.timeout(30)

BOB = "U0BOB"
CALLBACK = "think_about_message"
_no_proxies, slack = base._no_proxies, base.slack  # the same fixtures (loopback only; a fake Slack)


def shortcut_app(slack: FakeSlack, seen: list[dict[str, Any]]) -> AsyncApp:
    """Acks the shortcut, replies in the message's thread and tells the user privately through response_url."""
    client = AsyncWebClient(token=slack.workspace.bot_token, base_url=slack.api_url)
    app = AsyncApp(client=client, signing_secret=slack.workspace.signing_secret)

    @app.shortcut(CALLBACK)
    async def about(ack: Any, shortcut: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
        await ack()
        seen.append(shortcut)
        message = shortcut["message"]
        thread = message.get("thread_ts") or message["ts"]
        await client.chat_postMessage(channel=shortcut["channel"]["id"], text="on it", thread_ts=thread)
        await respond("thinking in the thread")

    return app


async def test_a_message_shortcut_over_socket_mode(slack: FakeSlack) -> None:
    seen: list[dict[str, Any]] = []
    asked = slack.users.say(channel=CHANNEL, user=BOB, text="Why is the sky blue?")
    reply = slack.users.say(channel=CHANNEL, user=BOB, text="a reply", thread_ts=asked.ts)
    async with socket_mode(slack, shortcut_app(slack, seen)):
        await slack.socket.wait_connected()
        used = slack.users.shortcut(channel=CHANNEL, ts=asked.ts, user=ALICE)
        envelope = await slack.socket.deliver_interactive(used.payload)
        assert (await slack.socket.wait_ack(envelope, timeout=3.0)).payload is None
        on_reply = slack.users.shortcut(channel=CHANNEL, ts=reply.ts, user=ALICE)
        await slack.socket.wait_ack(await slack.socket.deliver_interactive(on_reply.payload), timeout=3.0)
        replies = await slack.record.wait_thread(CHANNEL, asked.ts, 3)
        await slack.record.wait_for(lambda: len(slack.record.ephemerals) == 2, what="two private notes")
    frame = next(f for f in slack.socket.sent if f.get("envelope_id") == envelope)
    assert (frame["type"], frame["accepts_response_payload"]) == ("interactive", False)
    first, second = seen
    assert (first["type"], first["callback_id"], first["user"]["id"]) == ("message_action", CALLBACK, ALICE)
    assert (first["channel"]["id"], first["message_ts"], first["team"]["id"]) == (CHANNEL, asked.ts, "T0THINK")
    assert first["message"] | {"thread_ts": asked.ts} == first["message"]  # a parent with replies carries its own ts
    assert (first["message"]["text"], first["message"]["user"]) == ("Why is the sky blue?", BOB)
    assert (second["message"]["ts"], second["message"]["thread_ts"]) == (reply.ts, asked.ts)
    assert first["trigger_id"] != second["trigger_id"]
    assert [m.text for m in replies] == ["a reply", "on it", "on it"]
    assert {(e.text, e.user, e.source) for e in slack.record.ephemerals} == {
        ("thinking in the thread", ALICE, "response_url")
    }


async def test_a_message_shortcut_over_http(slack: FakeSlack) -> None:
    seen: list[dict[str, Any]] = []
    asked = slack.users.say(channel=CHANNEL, user=BOB, text="Over HTTP?")
    runner, url = await serve(shortcut_app(slack, seen).web_app(path="/slack/events"))
    try:
        async with slack.signed_poster(f"{url}/slack/events") as poster:
            used = slack.users.shortcut(channel=CHANNEL, ts=asked.ts, user=ALICE)
            reply = await poster.post_interactive(used.payload)
            await slack.record.wait_thread(CHANNEL, asked.ts, 1)
    finally:
        await runner.cleanup()
    assert reply.status == 200
    [shortcut] = seen
    assert "thread_ts" not in shortcut["message"]  # a message without replies
    assert shortcut["message"]["ts"] == asked.ts


def test_a_shortcut_needs_a_message(slack: FakeSlack) -> None:
    with pytest.raises(ValueError, match="no message"):
        slack.users.shortcut(channel=CHANNEL, ts="1.000001", user=ALICE)
