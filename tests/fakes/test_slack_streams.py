"""The fake Slack's streamed messages (``chat.startStream``/``appendStream``/``stopStream``) and assistant status,
proven with the real slack_sdk: Slack's argument rules, limits, refusals and rate tiers, and the record of what a
reader sees."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.messages.chunk import MarkdownTextChunk, PlanUpdateChunk, TaskUpdateChunk
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack, StreamRules

pytestmark = pytest.mark.timeout(30)

CHANNEL = "C0GENERAL"
PRIVATE = "G0SECRET"
DM = "D0ALICE"
ALICE = "U0ALICE"
TEAM = "T0THINK"
TO_ALICE: dict[str, Any] = {"recipient_team_id": TEAM, "recipient_user_id": ALICE}
A_TASK = {"type": "task_update", "id": "a", "title": "A", "status": "pending"}


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(post_interval=0.0) as fake:
        yield fake


def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.workspace.bot_token, base_url=slack.api_url)


def ask(slack: FakeSlack, channel: str = CHANNEL) -> str:
    return slack.users.say(channel=channel, user=ALICE, text="a question").ts


async def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as refused:
        await call
    return str(refused.value.response["error"])


def task(number: int, status: str, **more: str) -> TaskUpdateChunk:
    return TaskUpdateChunk(id=f"step-{number}", title=f"Step {number}", status=status, **more)  # type: ignore[arg-type]


async def test_a_plan_streams_tasks_in_order_then_the_markdown(slack: FakeSlack) -> None:
    web, parent = client(slack), ask(slack)
    started = await web.chat_startStream(
        channel=CHANNEL, thread_ts=parent, task_display_mode="plan", chunks=[PlanUpdateChunk(title="Thinking")],
        **TO_ALICE,
    )  # fmt: skip
    ts = started["ts"]
    for n in (1, 2, 3):
        await web.chat_appendStream(channel=CHANNEL, ts=ts, chunks=[task(n, "in_progress")])
        await web.chat_appendStream(channel=CHANNEL, ts=ts, chunks=[task(n, "complete", details=f"detail {n}")])
    stopped = await web.chat_stopStream(channel=CHANNEL, ts=ts, chunks=[MarkdownTextChunk(text="**42**")])

    stream = slack.record.stream(CHANNEL, ts)
    assert stream is not None
    assert [(t.title, t.status, t.details) for t in stream.tasks] == [
        (f"Step {n}", "complete", f"detail {n}") for n in (1, 2, 3)
    ]
    assert (stream.markdown_after_tasks, stream.streaming, stream.appends, stream.recipient) == (
        "**42**",
        False,
        6,
        ALICE,
    )
    assert stream.view() == [
        "[plan] Thinking", "  ✓ Step 1 — detail 1", "  ✓ Step 2 — detail 2", "  ✓ Step 3 — detail 3", "**42**"
    ]  # fmt: skip
    [reply] = slack.record.thread(CHANNEL, parent)
    assert (reply.ts, reply.text, reply.bot_id) == (ts, "**42**", slack.workspace.bot_id)
    assert [b["type"] for b in reply.blocks] == ["plan", "markdown"]
    assert stopped["message"]["text"] == "**42**"
    assert slack.record.updates == []  # streaming is not chat.update


async def test_a_timeline_interleaves_tasks_and_text_and_an_update_keeps_unsent_fields(slack: FakeSlack) -> None:
    web, parent = client(slack), ask(slack, DM)
    ts = (await web.chat_startStream(channel=DM, thread_ts=parent, markdown_text="Let me see.\n"))["ts"]
    await web.chat_appendStream(channel=DM, ts=ts, chunks=[task(1, "in_progress", details="looking")])
    await web.chat_appendStream(channel=DM, ts=ts, markdown_text="Found it.")
    await web.chat_appendStream(channel=DM, ts=ts, chunks=[task(1, "complete", output="done")])
    await web.chat_stopStream(channel=DM, ts=ts)
    stream = slack.record.stream(DM, ts)
    assert stream is not None
    assert stream.view() == ["Let me see.", "✓ Step 1 — looking → done", "Found it."]
    assert stream.markdown == "Let me see.\nFound it."


async def test_the_sdk_chat_stream_helper_works_against_the_fake(slack: FakeSlack) -> None:
    parent = ask(slack)
    streamer = await client(slack).chat_stream(channel=CHANNEL, thread_ts=parent, buffer_size=8, **TO_ALICE)
    for word in ("Hello ", "there, ", "reader."):
        await streamer.append(markdown_text=word)
    await streamer.stop()
    [stream] = slack.record.streams(CHANNEL)
    assert (stream.markdown, stream.streaming) == ("Hello there, reader.", False)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"recipient_user_id": ALICE}, "missing_recipient_team_id"),
        ({"recipient_team_id": TEAM}, "missing_recipient_user_id"),
        ({"recipient_team_id": "T0OTHER", "recipient_user_id": ALICE}, "invalid_arguments"),
        ({"recipient_team_id": TEAM, "recipient_user_id": "U0NOBODY"}, "user_not_found"),
        ({**TO_ALICE, "task_display_mode": "cards"}, "invalid_arguments"),
        ({**TO_ALICE, "markdown_text": "x" * 12_001}, "invalid_arguments"),
        ({**TO_ALICE, "chunks": [{**A_TASK, "status": "done"}]}, "invalid_chunks"),
        ({**TO_ALICE, "chunks": [{**A_TASK, "details": "d" * 257}]}, "invalid_chunks"),
        ({**TO_ALICE, "chunks": [{**A_TASK, "output": "o" * 257}]}, "invalid_chunks"),
        ({**TO_ALICE, "chunks": [{"type": "task_update", "title": "A", "status": "pending"}]}, "invalid_chunks"),
        ({**TO_ALICE, "chunks": [{"type": "confetti"}]}, "invalid_chunks"),
        ({**TO_ALICE, "thread_ts": "1.000001"}, "invalid_thread_ts"),
        ({**TO_ALICE, "thread_ts": ""}, "invalid_arguments"),
    ],
)
async def test_start_stream_argument_rules(slack: FakeSlack, arguments: dict[str, Any], error: str) -> None:
    arguments = {"thread_ts": ask(slack), **arguments}
    assert await error_of(client(slack).api_call("chat.startStream", json={"channel": CHANNEL, **arguments})) == error
    assert slack.record.streams() == []


async def test_a_dm_needs_no_recipient_and_a_missing_channel_is_not_found(slack: FakeSlack) -> None:
    web = client(slack)
    assert (await web.chat_startStream(channel=DM, thread_ts=ask(slack, DM)))["ok"]
    assert await error_of(web.chat_startStream(channel="nowhere", thread_ts=ask(slack))) == "channel_not_found"


async def test_appends_need_a_streaming_message_and_content(slack: FakeSlack) -> None:
    web, parent = client(slack), ask(slack)
    ts = (await web.chat_startStream(channel=CHANNEL, thread_ts=parent, **TO_ALICE))["ts"]
    assert await error_of(web.chat_appendStream(channel=CHANNEL, ts=ts)) == "no_text"
    assert await error_of(web.chat_appendStream(channel=CHANNEL, ts="1.000002", markdown_text="x")) == (
        "message_not_found"
    )
    assert await error_of(web.chat_appendStream(channel=CHANNEL, ts=parent, markdown_text="x")) == (
        "message_not_in_streaming_state"
    )
    await web.chat_stopStream(channel=CHANNEL, ts=ts)
    assert await error_of(web.chat_appendStream(channel=CHANNEL, ts=ts, markdown_text="late")) == (
        "message_not_in_streaming_state"
    )
    assert await error_of(web.chat_stopStream(channel=CHANNEL, ts=ts)) == "message_not_in_streaming_state"


async def test_a_message_past_the_block_text_limit_is_refused_and_left_as_it_was(slack: FakeSlack) -> None:
    web = client(slack)
    ts = (await web.chat_startStream(channel=CHANNEL, thread_ts=ask(slack), task_display_mode="plan", **TO_ALICE))["ts"]
    long = "d" * 256
    errors = []
    for n in range(1, 50):
        try:
            chunk = task(n, "complete", details=long, output=long)
            await web.chat_appendStream(channel=CHANNEL, ts=ts, chunks=[chunk])
        except SlackApiError as exc:
            errors.append((n, exc.response["error"]))
            break
    stream = slack.record.stream(CHANNEL, ts)
    assert stream is not None
    [(refused_at, error)] = errors
    assert error == "msg_blocks_too_long"
    assert len(stream.tasks) == refused_at - 1 == 13_000 // (2 * 256 + len("Step 10"))


@pytest.mark.parametrize(
    ("rules", "channel", "error"),
    [
        (StreamRules(available=False), CHANNEL, "unknown_method"),
        (StreamRules(refusal="not_allowed"), CHANNEL, "not_allowed"),
        (StreamRules(unsupported="G"), PRIVATE, "channel_type_not_supported"),
    ],
)
async def test_streams_can_be_refused(rules: StreamRules, channel: str, error: str) -> None:
    async with FakeSlack(post_interval=0.0, streams=rules) as slack:
        parent = ask(slack, channel)
        assert await error_of(client(slack).chat_startStream(channel=channel, thread_ts=parent, **TO_ALICE)) == error
        assert slack.record.thread(channel, parent) == []


async def test_channel_kinds_not_listed_still_stream() -> None:
    async with FakeSlack(post_interval=0.0, streams=StreamRules(unsupported="G")) as slack:
        assert (await client(slack).chat_startStream(channel=CHANNEL, thread_ts=ask(slack), **TO_ALICE))["ok"]


async def test_an_idle_stream_stops_streaming() -> None:
    async with FakeSlack(post_interval=0.0, streams=StreamRules(idle_timeout=0.05)) as slack:
        web = client(slack)
        ts = (await web.chat_startStream(channel=CHANNEL, thread_ts=ask(slack), **TO_ALICE))["ts"]
        await asyncio.sleep(0.1)
        assert await error_of(web.chat_appendStream(channel=CHANNEL, ts=ts, markdown_text="x")) == (
            "message_not_in_streaming_state"
        )


async def test_stream_methods_keep_to_their_tiers_with_retry_after() -> None:
    async with FakeSlack(post_interval=0.0) as slack:
        web, parent = client(slack), ask(slack)
        for _ in range(20):
            await web.chat_startStream(channel=CHANNEL, thread_ts=parent, **TO_ALICE)
        with pytest.raises(SlackApiError) as limited:
            await web.chat_startStream(channel=CHANNEL, thread_ts=parent, **TO_ALICE)
    assert (limited.value.response.status_code, limited.value.response["error"]) == (429, "ratelimited")
    assert int(limited.value.response.headers["Retry-After"]) == 3  # Tier 2: 20 a minute, one every 3 s after
    assert len(slack.record.streams()) == 20


async def test_appends_have_their_own_limit_and_start_takes_a_channel_post_turn() -> None:
    async with FakeSlack(post_interval=1.0, post_burst=1, method_limits={"chat.appendStream": (2, 60.0)}) as slack:
        web, parent = client(slack), ask(slack)
        ts = (await web.chat_startStream(channel=CHANNEL, thread_ts=parent, **TO_ALICE))["ts"]
        assert await error_of(web.chat_postMessage(channel=CHANNEL, text="right after")) == "ratelimited"
        for _ in range(2):
            await web.chat_appendStream(channel=CHANNEL, ts=ts, markdown_text="x")
        assert await error_of(web.chat_appendStream(channel=CHANNEL, ts=ts, markdown_text="x")) == "ratelimited"
    assert [r.method for r in slack.record.rate_limited] == ["chat.postMessage", "chat.appendStream"]


async def test_assistant_status_is_set_checked_and_taken_down_by_a_reply(slack: FakeSlack) -> None:
    web, parent = client(slack), ask(slack)
    loading = ["Reading the question…", "Weighing it…"]
    await web.assistant_threads_setStatus(
        channel_id=CHANNEL, thread_ts=parent, status="is thinking…", loading_messages=loading
    )
    assert slack.record.status(CHANNEL, parent) == "is thinking…"
    assert slack.record.statuses[-1].loading_messages == tuple(loading)
    await web.chat_postMessage(channel=CHANNEL, thread_ts=parent, text="the answer")
    assert slack.record.status(CHANNEL, parent) == ""
    await web.assistant_threads_setStatus(channel_id=CHANNEL, thread_ts=parent, status="again")
    await web.assistant_threads_setStatus(channel_id=CHANNEL, thread_ts=parent, status="")
    assert slack.record.status(CHANNEL, parent) == ""


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"channel_id": "nowhere"}, "channel_not_found"),
        ({"thread_ts": "1.000003"}, "invalid_thread_ts"),
        ({"loading_messages": []}, "invalid_arguments"),
        ({"loading_messages": ["x" * 51]}, "invalid_arguments"),
        ({"loading_messages": [f"m{i}" for i in range(11)]}, "invalid_arguments"),
        ({"status": None}, "invalid_arguments"),
    ],
)
async def test_assistant_status_argument_rules(slack: FakeSlack, arguments: dict[str, Any], error: str) -> None:
    body = {"channel_id": CHANNEL, "thread_ts": ask(slack), "status": "is thinking…", **arguments}
    body = {k: v for k, v in body.items() if v is not None}
    assert await error_of(client(slack).api_call("assistant.threads.setStatus", json=body)) == error
    assert slack.record.statuses == []
