"""HTTP mode: bolt's signature check in front of everything, Slack's retries answered once, health endpoints."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import pytest

from tests.adapters.slack.chains import Scripts
from tests.adapters.slack.conftest import ALICE, CHANNEL, harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack, PostOptions

pytestmark = pytest.mark.timeout(30)


async def test_signed_mention_is_answered_once_despite_retries(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    async with harness(slack, fake_groq, mode="http") as h, slack.signed_poster(f"{h.url}/slack/events") as poster:
        challenge = await poster.post_event(slack.events.url_verification("c-1"))
        assert challenge.json() == {"challenge": "c-1"}
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="over http?")
        assert mention.message is not None
        first = await poster.post_event(mention.payload)
        retry = await poster.post_event(mention.payload, PostOptions(retry_num=1, retry_reason="http_timeout"))
        assert (first.status, retry.status) == (200, 200)
        replies = await h.answered(mention.message.ts)
    assert sum(m.text.startswith("Answer:") for m in replies) == 1
    assert len(fake_groq.chat_requests) == 3


async def test_forged_or_stale_requests_get_401_and_no_work(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    async with harness(slack, fake_groq, mode="http") as h:
        async with slack.signed_poster(f"{h.url}/slack/events") as poster:
            mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="forged?")
            command = slack.users.command(channel=CHANNEL, user=ALICE, text="forged too")
            replies = [
                await poster.post_event(mention.payload, PostOptions(secret="not-the-secret")),
                await poster.post_event(mention.payload, PostOptions(timestamp=int(time.time()) - 600)),
                await poster.post_event(mention.payload, PostOptions(signature="v0=" + "0" * 64)),
                await poster.post_command(command.payload, PostOptions(secret="not-the-secret")),
            ]
        await h.bot.wait_idle()
    assert [r.status for r in replies] == [401, 401, 401, 401]
    assert fake_groq.chat_requests == []
    assert [m for m in slack.record.messages() if m.bot_id] == []
    assert h.bot.running == 0


async def test_think_over_http_acks_then_threads_under_a_header(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    async with (
        harness(slack, fake_groq, mode="http", user_rate="1/1h") as h,
        slack.signed_poster(f"{h.url}/slack/events") as poster,
    ):
        command = slack.users.command(channel=CHANNEL, user=ALICE, text="why?")
        ack = await poster.post_command(command.payload)
        header = await slack.record.wait_for(
            lambda: next((m for m in slack.record.timeline(CHANNEL) if m.bot_id), None), what="the header"
        )
        replies = await h.answered(header.ts)
        again = await poster.post_command(slack.users.command(channel=CHANNEL, user=ALICE, text="again?").payload)
        note = await slack.record.wait_for(lambda: slack.record.ephemerals, what="the rate limit note")
        await h.bot.wait_idle()
    assert (ack.status, ack.body, again.status) == (200, "", 200)
    assert replies[-1].text.startswith("Answer:")
    assert [(e.source, e.user) for e in note] == [("response_url", ALICE)]
    assert "Please try again in" in note[0].text
    assert len([m for m in slack.record.timeline(CHANNEL) if m.bot_id]) == 1


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_health_endpoints(slack: FakeSlack, fake_groq: FakeGroq, mode: str):
    """The paths of ``thinkbot run`` in both modes (beside ``/slack/events`` in HTTP mode); no ``/health``."""
    async with harness(slack, fake_groq, mode=mode) as h, aiohttp.ClientSession() as session:
        healthz = await session.get(f"{h.url}/healthz")
        readyz = await session.get(f"{h.url}/readyz")
        metrics = await session.get(f"{h.url}/metrics")
        old = await session.get(f"{h.url}/health")
        assert (healthz.status, await healthz.json()) == (200, {"status": "ok"})
        assert readyz.status == 200
        checks = {"redis": True, "slack": True} if mode == "socket" else {"redis": True}
        assert await readyz.json() == {"status": "ready", "checks": checks, "draining": False}
        assert (metrics.status, old.status) == (200, 404)


async def test_socket_mode_readiness_fails_while_disconnected(fake_groq: FakeGroq):
    slack = FakeSlack(post_interval=0)
    await slack.start()
    try:
        async with harness(slack, fake_groq) as h, aiohttp.ClientSession() as session:
            assert (await session.get(f"{h.url}/readyz")).status == 200
            await slack.stop()
            for _ in range(100):
                resp = await session.get(f"{h.url}/readyz")
                if resp.status == 503:
                    break
                await asyncio.sleep(0.05)
            assert resp.status == 503
            body = await resp.json()
            assert (body["status"], body["checks"]["slack"]) == ("unavailable", False)
            assert (await session.get(f"{h.url}/healthz")).status == 200  # the process itself still answers
    finally:
        await slack.stop()


async def test_two_replicas_answer_a_retried_event_once(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts, redis_url: str
):
    """Behind a load balancer Slack's retry can reach the other replica: the shared Redis dedupes it."""
    shared = {"redis_url": redis_url, "redis_key_prefix": f"slackreplicas{time.time_ns()}"}
    async with (
        harness(slack, fake_groq, mode="http", **shared) as a,
        harness(slack, fake_groq, mode="http", keep_state=True, **shared) as b,  # a, the last to stop, cleans up
        slack.signed_poster(f"{a.url}/slack/events") as to_a,
        slack.signed_poster(f"{b.url}/slack/events") as to_b,
    ):
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="which replica?")
        assert mention.message is not None
        assert (await to_a.post_event(mention.payload)).status == 200
        retry = await to_b.post_event(mention.payload, PostOptions(retry_num=1, retry_reason="http_timeout"))
        assert retry.status == 200
        replies = await a.answered(mention.message.ts)
        await b.bot.wait_idle()
    assert sum(m.text.startswith("Answer:") for m in replies) == 1
    assert len(fake_groq.chat_requests) == 3


_ODD_BODIES = [
    ("application/json", "<html><body>502 Bad Gateway</body></html>"),
    ("application/json", '{"type": "event_callback", "event": '),
    ("application/x-www-form-urlencoded", "payload=%7Bnot-json"),
    ("text/plain", "\x00\x01 hello"),
    ("application/json", ""),
]


@pytest.mark.parametrize(("content_type", "body"), _ODD_BODIES)
async def test_unsigned_or_forged_bodies_of_any_shape_get_401_without_a_traceback(
    slack: FakeSlack, fake_groq: FakeGroq, content_type: str, body: str, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    async with harness(slack, fake_groq, mode="http") as h:
        url = f"{h.url}/slack/events"
        async with slack.signed_poster(url) as poster, aiohttp.ClientSession() as session:
            forged = await poster.post_raw(body, content_type, PostOptions(secret="not-the-secret"))
            stale = await poster.post_raw(body, content_type, PostOptions(timestamp=int(time.time()) - 600))
            async with session.post(url, data=body.encode(), headers={"Content-Type": content_type}) as unsigned:
                unsigned_status = unsigned.status
        await h.bot.wait_idle()
    assert [forged.status, stale.status, unsigned_status] == [401, 401, 401]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not any(r.exc_info for r in caplog.records)
    assert fake_groq.chat_requests == []


async def test_a_signed_but_unreadable_body_is_refused_without_a_traceback(
    slack: FakeSlack, fake_groq: FakeGroq, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    async with harness(slack, fake_groq, mode="http") as h, slack.signed_poster(f"{h.url}/slack/events") as p:
        reply = await p.post_raw("<html>not json</html>", "application/json")
        still = await p.post_event(slack.events.url_verification("c-2"))
    assert reply.status == 400
    assert still.json() == {"challenge": "c-2"}
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
