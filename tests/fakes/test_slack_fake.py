"""The fake Slack, proven with the real slack_sdk and slack_bolt over loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import MAX_BLOCKS, MAX_TEXT, SECTION_TEXT, FakeSlack, FakeSlackThread, PostOptions
from tests.fakes.slack.ratelimit import ChannelRateLimiter

pytestmark = pytest.mark.timeout(30)

CHANNEL = "C0GENERAL"
ALICE = "U0ALICE"


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk honours proxy variables; keep every byte on loopback."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(post_interval=0.05, post_burst=5) as fake:
        yield fake


def bot_client(slack: FakeSlack, *, retry: bool = False, token: str | None = None) -> AsyncWebClient:
    client = AsyncWebClient(token=token or slack.workspace.bot_token, base_url=slack.api_url)
    if retry:
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client


def retry_num(request: Any) -> str | None:
    """Bolt keeps headers as lists; Socket Mode envelopes' retry_attempt arrives as this header too."""
    values = request.headers.get("x-slack-retry-num") or [None]
    return values[0]  # type: ignore[no-any-return]


def bolt_app(slack: FakeSlack, seen: list[dict[str, Any]]) -> AsyncApp:
    """An app that answers a mention in its thread and ``/think`` with an ack, a header and a threaded reply."""
    app = AsyncApp(client=bot_client(slack), signing_secret=slack.workspace.signing_secret)

    @app.event("app_mention")
    async def mention(event: dict[str, Any], say: Callable[..., Awaitable[Any]], request: Any) -> None:
        seen.append({"event": event, "retry": retry_num(request)})
        await say(text=f"on it: {event['text']}", thread_ts=event.get("thread_ts") or event["ts"])

    @app.command("/think")
    async def think(ack: Any, command: dict[str, str], client: AsyncWebClient, respond: Any) -> None:
        await ack("Thinking…")
        seen.append({"command": command})
        header = await client.chat_postMessage(channel=command["channel_id"], text=f"Q: {command['text']}")
        await client.chat_postMessage(channel=command["channel_id"], text="step 1", thread_ts=header["ts"])
        await respond("done")

    return app


@contextlib.asynccontextmanager
async def socket_mode(slack: FakeSlack, app: AsyncApp) -> AsyncIterator[AsyncSocketModeHandler]:
    """Bolt's aiohttp Socket Mode handler connected to the fake (via ``apps.connections.open``) for the block."""
    handler = AsyncSocketModeHandler(app, slack.workspace.app_token)
    await handler.connect_async()
    try:
        yield handler
    finally:
        await handler.close_async()


# --- Web API --------------------------------------------------------------------------------------------------


async def test_posts_updates_and_reactions_land_in_the_record_with_thread_ts(slack: FakeSlack) -> None:
    client = bot_client(slack)
    auth = await client.auth_test()
    assert (auth["user_id"], auth["team_id"]) == (slack.workspace.bot_user_id, slack.workspace.team_id)
    question = slack.users.say(channel=CHANNEL, user=ALICE, text="why is the sky blue?")

    first = await client.chat_postMessage(channel=CHANNEL, text="step 1", thread_ts=question.ts)
    second = await client.chat_postMessage(
        channel=CHANNEL, text="answer", blocks=[section("*answer*")], thread_ts=question.ts, reply_broadcast=True
    )
    assert first["message"]["thread_ts"] == question.ts
    assert float(question.ts) < float(first["ts"]) < float(second["ts"])
    await client.chat_update(channel=CHANNEL, ts=first["ts"], text="step 1, expanded")
    await client.reactions_add(channel=CHANNEL, timestamp=question.ts, name="hourglass")
    await client.reactions_add(channel=CHANNEL, timestamp=first["ts"], name="mag")
    await client.reactions_remove(channel=CHANNEL, timestamp=question.ts, name="hourglass")

    replies = await slack.record.wait_thread(CHANNEL, question.ts, 2)
    assert [(m.text, m.thread_ts, m.edits) for m in replies] == [
        ("step 1, expanded", question.ts, 1),
        ("answer", question.ts, 0),
    ]
    assert [m.text for m in slack.record.timeline(CHANNEL)] == ["why is the sky blue?", "answer"]
    assert (replies[1].blocks, replies[1].reply_broadcast) == ((section("*answer*"),), True)
    assert slack.record.reactions(CHANNEL, first["ts"]) == {"mag": (slack.workspace.bot_user_id,)}
    assert slack.record.reactions(CHANNEL, question.ts) == {}
    listing = await client.conversations_replies(channel=CHANNEL, ts=first["ts"])
    assert [m["text"] for m in listing["messages"]] == ["why is the sky blue?", "step 1, expanded", "answer"]
    assert listing["messages"][0]["reply_count"] == 2
    assert {m["thread_ts"] for m in listing["messages"]} == {question.ts}


async def test_threading_under_a_reply_or_unknown_ts_is_refused(slack: FakeSlack) -> None:
    client = bot_client(slack)
    parent = slack.users.say(channel=CHANNEL, user=ALICE, text="q")
    reply = await client.chat_postMessage(channel=CHANNEL, text="r", thread_ts=parent.ts)
    for bad in (reply["ts"], "1.000001"):
        with pytest.raises(SlackApiError) as caught:
            await client.chat_postMessage(channel=CHANNEL, text="x", thread_ts=bad)
        assert caught.value.response["error"] == "invalid_thread_ts"
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_postMessage(channel="general", text="x")


async def test_tokens_are_checked_by_kind_and_never_echoed(slack: FakeSlack) -> None:
    ws = slack.workspace
    opened = await bot_client(slack).apps_connections_open(app_token=ws.app_token)
    assert opened["url"].startswith(f"ws://127.0.0.1:{slack.port}/link/?ticket=")
    cases = [
        (bot_client(slack, token="xoxb-not-the-right-one"), "invalid_auth"),
        (bot_client(slack, token=ws.app_token), "not_allowed_token_type"),
    ]
    for client, error in cases:
        with pytest.raises(SlackApiError) as caught:
            await client.chat_postMessage(channel=CHANNEL, text="hi")
        assert caught.value.response["error"] == error
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        await bot_client(slack).apps_connections_open(app_token=ws.bot_token)
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{slack.api_url}auth.test") as resp:
            assert (await resp.json())["error"] == "not_authed"
        form = {"token": ws.bot_token, "channel": CHANNEL, "text": "by form"}
        async with session.post(f"{slack.api_url}chat.postMessage", data=form) as resp:
            assert (await resp.json())["ok"] is True
    logged = repr(ws) + repr(slack.record.calls)
    for secret in (ws.bot_token, ws.app_token, ws.signing_secret):
        assert secret not in logged


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ({"text": "x" * MAX_TEXT}, None),
        ({"text": "x" * (MAX_TEXT + 1)}, "msg_too_long"),
        ({"blocks": [section("x" * SECTION_TEXT)]}, None),
        ({"blocks": [section("x" * (SECTION_TEXT + 1))]}, "invalid_blocks"),
        ({"blocks": [section("x" * SECTION_TEXT)] * 4}, None),
        ({"blocks": [section("x" * SECTION_TEXT)] * 4 + [section("x" * 1001)]}, "msg_blocks_too_long"),
        ({"blocks": [{"type": "divider"}] * MAX_BLOCKS}, None),
        ({"blocks": [{"type": "divider"}] * (MAX_BLOCKS + 1)}, "invalid_blocks"),
        ({"blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}]}, "invalid_blocks"),
        ({"text": ""}, "no_text"),
    ],
)
async def test_message_limits(slack: FakeSlack, content: dict[str, Any], error: str | None) -> None:
    client = bot_client(slack)
    for method in ("chat.postMessage", "chat.postMessage (form)", "chat.update"):
        target = await client.chat_postMessage(channel=CHANNEL, text="original") if method == "chat.update" else None
        args = {"channel": CHANNEL, **content, **({"ts": target["ts"]} if target else {})}
        if method.endswith("(form)"):
            args = {k: json.dumps(v) if k == "blocks" else v for k, v in args.items()}
            call = client.api_call("chat.postMessage", data=args)
        else:
            call = client.api_call(method, json=args)
        if error is None:
            assert (await call)["ok"] is True
        else:
            with pytest.raises(SlackApiError) as caught:
                await call
            assert caught.value.response["error"] == error


async def test_ephemeral_delete_users_and_paged_replies(slack: FakeSlack) -> None:
    client = bot_client(slack)
    parent = slack.users.say(channel=CHANNEL, user=ALICE, text="q")
    posted = [await client.chat_postMessage(channel=CHANNEL, text=f"r{i}", thread_ts=parent.ts) for i in range(3)]
    eph = await client.chat_postEphemeral(channel=CHANNEL, user=ALICE, text="only you", thread_ts=parent.ts)
    await client.chat_delete(channel=CHANNEL, ts=posted[1]["ts"])
    assert [e.text for e in slack.record.ephemerals] == ["only you"]
    assert slack.record.ephemerals[0].ts == eph["message_ts"]
    assert [m.text for m in slack.record.thread(CHANNEL, parent.ts)] == ["r0", "r2"]
    with pytest.raises(SlackApiError, match="cant_update_message"):
        await client.chat_update(channel=CHANNEL, ts=parent.ts, text="not mine")
    page = await client.conversations_replies(channel=CHANNEL, ts=parent.ts, limit=2)
    rest = await client.conversations_replies(
        channel=CHANNEL, ts=parent.ts, cursor=page["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in page["messages"] + rest["messages"]] == ["q", "r0", "r2"]
    assert (page["has_more"], rest["has_more"]) == (True, False)
    assert (await client.users_info(user=ALICE))["user"]["name"] == "alice"
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.users_info(user="U0NOBODY")


async def test_overrun_gets_429_and_the_sdk_retry_handler_recovers() -> None:
    async with FakeSlack(post_interval=0.5, post_burst=1) as slack:
        await bot_client(slack).chat_postMessage(channel=CHANNEL, text="plain 0")
        with pytest.raises(SlackApiError) as caught:
            await bot_client(slack).chat_postMessage(channel=CHANNEL, text="plain 1")
        assert caught.value.response.status_code == 429
        assert caught.value.response.headers["Retry-After"] == "1"
        await asyncio.sleep(0.5)

        client = bot_client(slack, retry=True)
        started = time.monotonic()
        for i in range(2):
            await client.chat_postMessage(channel=CHANNEL, text=f"paced {i}")
        await client.chat_postMessage(channel="C0OTHER", text="another channel has its own budget")
        assert time.monotonic() - started >= 1.0
        assert slack.record.rate_limited_count == 2
        assert [m.text for m in slack.record.messages(CHANNEL)] == ["plain 0", "paced 0", "paced 1"]
        assert {r.channel for r in slack.record.rate_limited} == {CHANNEL}


def test_rate_limiter_allows_a_burst_then_one_per_interval() -> None:
    now = [100.0]
    limiter = ChannelRateLimiter(interval=1.0, burst=3, now=lambda: now[0])
    assert [limiter.take("C1") for _ in range(4)] == [None, None, None, 1]
    assert limiter.take("C2") is None
    now[0] += 1.0
    assert [limiter.take("C1"), limiter.take("C1")] == [None, 1]
    now[0] += 10.0
    assert [limiter.take("C1") for _ in range(4)] == [None, None, None, 1]


async def test_injected_failures_and_wait_timeouts(slack: FakeSlack) -> None:
    client = bot_client(slack, retry=True)
    slack.web.fail_next("chat.update", "ratelimited", status=429, retry_after=0)
    slack.web.fail_next("reactions.add", "internal_error", status=500)
    posted = await client.chat_postMessage(channel=CHANNEL, text="a")
    await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="b")
    with pytest.raises(SlackApiError, match="internal_error"):
        await client.reactions_add(channel=CHANNEL, timestamp=posted["ts"], name="mag")
    assert slack.record.message(CHANNEL, posted["ts"]).text == "b"  # type: ignore[union-attr]
    assert [(c.method, c.status) for c in slack.record.calls if not c.ok] == [
        ("chat.update", 429),
        ("reactions.add", 500),
    ]
    with pytest.raises(TimeoutError, match=f"2 replies in {CHANNEL}/{posted['ts']}"):
        await slack.record.wait_thread(CHANNEL, posted["ts"], 2, timeout=0.2)


# --- Socket Mode ----------------------------------------------------------------------------------------------


async def test_bolt_over_socket_mode_answers_a_mention_and_think(slack: FakeSlack) -> None:
    seen: list[dict[str, Any]] = []
    async with socket_mode(slack, bolt_app(slack, seen)):
        await slack.socket.wait_connected()
        assert slack.socket.sent[0]["type"] == "hello"
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="what is 2+2?")
        envelope = await slack.socket.deliver_event(mention.payload)
        assert (await slack.socket.wait_ack(envelope)).payload is None
        assert mention.message is not None
        [reply] = await slack.record.wait_thread(CHANNEL, mention.message.ts, 1)
        assert reply.text == f"on it: <@{slack.workspace.bot_user_id}> what is 2+2?"
        assert seen[0]["retry"] == "0"

        command = slack.users.command(channel=CHANNEL, user=ALICE, text="why?")
        ack = await slack.socket.wait_ack(await slack.socket.deliver_command(command.payload))
        assert ack.payload == {"text": "Thinking…"}
        await slack.record.wait_for(lambda: len(slack.record.ephemerals) == 2, what="ack and respond ephemerals")
        assert sorted((e.text, e.user, e.source) for e in slack.record.ephemerals) == [
            ("Thinking…", ALICE, "ack"),
            ("done", ALICE, "response_url"),
        ]
        header = slack.record.timeline(CHANNEL)[-1]
        assert header.text == "Q: why?"
        assert [m.text for m in await slack.record.wait_thread(CHANNEL, header.ts, 1)] == ["step 1"]


async def test_unacked_envelope_is_redelivered_with_retry_attempt(slack: FakeSlack) -> None:
    seen: list[dict[str, Any]] = []
    app = bolt_app(slack, seen)

    @app.middleware
    async def crash_first_delivery(request: Any, next: Callable[[], Awaitable[Any]]) -> Any:
        if retry_num(request) == "0":
            raise RuntimeError("worker died before acking")
        return await next()

    async with socket_mode(slack, app):
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="hello?")
        envelope = await slack.socket.deliver_event(mention.payload)
        with pytest.raises(TimeoutError):
            await slack.socket.wait_ack(envelope, timeout=0.3)
        await slack.socket.redeliver(envelope, reason="timeout")
        ack = await slack.socket.wait_ack(envelope)
        assert ack.attempt == 1
        assert mention.message is not None
        await slack.record.wait_thread(CHANNEL, mention.message.ts, 1)
        assert [f.get("retry_attempt") for f in slack.socket.sent if f.get("envelope_id") == envelope] == [0, 1]
        assert [s["retry"] for s in seen] == ["1"]
        with pytest.raises(ValueError, match="already acknowledged"):
            await slack.socket.redeliver(envelope)


async def test_disconnect_refresh_requested_makes_bolt_reconnect(slack: FakeSlack) -> None:
    seen: list[dict[str, Any]] = []
    async with socket_mode(slack, bolt_app(slack, seen)):
        await slack.socket.wait_connected()
        await slack.socket.disconnect(reason="refresh_requested")
        await slack.socket.wait_connected(opened=2)
        await slack.socket.wait_for(lambda: slack.socket.open_connections == 1, what="the old socket to close")
        assert [f["type"] for f in slack.socket.sent] == ["hello", "disconnect", "hello"]
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="still there?")
        await slack.socket.wait_ack(await slack.socket.deliver_event(mention.payload))
        assert len(slack.record.calls_to("apps.connections.open")) == 2


# --- HTTP mode ------------------------------------------------------------------------------------------------


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def test_bolt_over_http_checks_signatures(slack: FakeSlack) -> None:
    seen: list[dict[str, Any]] = []
    runner, url = await serve(bolt_app(slack, seen).web_app(path="/slack/events"))
    try:
        async with slack.signed_poster(f"{url}/slack/events") as poster:
            challenge = await poster.post_event(slack.events.url_verification("c-123"))
            assert (challenge.status, challenge.json()["challenge"]) == (200, "c-123")

            mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="signed?")
            forged = await poster.post_event(mention.payload, PostOptions(secret="not-the-secret"))
            stale = await poster.post_event(mention.payload, PostOptions(timestamp=int(time.time()) - 301))
            assert (forged.status, stale.status) == (401, 401)
            good = await poster.post_event(mention.payload)
            retry = await poster.post_event(mention.payload, PostOptions(retry_num=1, retry_reason="http_timeout"))
            assert (good.status, retry.status) == (200, 200)
            assert mention.message is not None
            await slack.record.wait_thread(CHANNEL, mention.message.ts, 2)
            assert [s["retry"] for s in seen] == [None, "1"]

            command = slack.users.command(channel=CHANNEL, user=ALICE, text="over http")
            assert (await poster.post_command(command.payload)).body == "Thinking…"
            await slack.record.wait_for(lambda: len(slack.record.ephemerals) == 2, what="ack and respond")
            assert sorted((e.text, e.source) for e in slack.record.ephemerals) == [
                ("Thinking…", "ack"),
                ("done", "response_url"),
            ]
    finally:
        await runner.cleanup()


async def test_deliver_event_retries_a_slow_endpoint_like_slack(slack: FakeSlack) -> None:
    headers: list[tuple[str | None, str | None]] = []

    async def slow_first(request: web.Request) -> web.Response:
        headers.append((request.headers.get("X-Slack-Retry-Num"), request.headers.get("X-Slack-Retry-Reason")))
        if len(headers) == 1:
            await asyncio.sleep(1.0)
        if len(headers) == 2:
            return web.Response(status=503)
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", slow_first)
    runner, url = await serve(app)
    try:
        async with slack.signed_poster(f"{url}/slack/events") as poster:
            payload = slack.users.mention(channel=CHANNEL, user=ALICE, text="slow").payload
            attempts = await poster.deliver_event(payload, ack_timeout=0.2)
        assert [a.status if a else None for a in attempts] == [None, 503, 200]
        assert headers == [(None, None), ("1", "http_timeout"), ("2", "http_error")]
    finally:
        await runner.cleanup()


# --- a fake on its own thread, for code that runs its own loop ------------------------------------------------


def test_background_thread_serves_the_sync_client() -> None:
    with FakeSlackThread(post_interval=0) as bg:
        fake = bg.fake
        parent = fake.users.say(channel=CHANNEL, user=ALICE, text="sync?")
        client = WebClient(token=fake.workspace.bot_token, base_url=fake.api_url)
        for i in range(5):
            client.chat_postMessage(channel=CHANNEL, text=f"r{i}", thread_ts=parent.ts)
        replies = bg.run(fake.record.wait_thread(CHANNEL, parent.ts, 5, timeout=2))
        assert [m.text for m in replies] == [f"r{i}" for i in range(5)]
