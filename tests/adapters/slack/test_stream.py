"""``THINKBOT_SLACK_DISPLAY=stream`` end to end (issue 11, item 3), against the fake Slack's stream methods: each chain
is one streamed message in its thread, a plan with a task per step and then the answer; live progress is the task in
progress; the expand reaction still shows the steps in full; the stop reaction ends the stream with a note; where
Slack refuses streams the chain shows as posts, and the refusal is remembered for the workspace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.chat.layout import Layout
from adapters.slack import SlackOptions
from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import ALICE, CHANNEL, Harness, harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack, Message, StreamedMessage, StreamRules

pytestmark = pytest.mark.timeout(60)

TWENTY_FIVE = tuple((f"Step title {n}", f"Content of step {n}.") for n in range(1, 26))
STREAM = SlackOptions(post_interval=0.0, max_retries=3, stream=True, layout=Layout(progress_every=0.2))


def stream_under(slack: FakeSlack, question: Message) -> StreamedMessage | None:
    """The streamed message in the thread of ``question``, as it stands, if any."""
    return next((s for s in slack.record.streams(CHANNEL) if s.thread_ts == question.ts), None)


async def streamed(h: Harness, question: Message, *, timeout: float = 10.0) -> StreamedMessage:  # noqa: ASYNC109
    """The streamed message under ``question`` once it is stopped and the bot idle."""

    def stopped() -> StreamedMessage | None:
        found = stream_under(h.slack, question)
        return found if found is not None and not found.streaming else None

    await h.slack.record.wait_for(stopped, timeout=timeout, what="a stopped streamed message")
    await h.bot.wait_idle()
    message = stopped()
    assert message is not None
    return message


def _replies(slack: FakeSlack, question: Message) -> list[Message]:
    return slack.record.thread(CHANNEL, question.ts)


async def test_a_25_step_chain_is_one_streamed_message_with_25_tasks_then_the_answer(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
) -> None:
    scripts.default = Script(steps=TWENTY_FIVE)
    async with harness(slack, fake_groq, options=STREAM, step_cap=25) as h:
        question = await h.ask("twenty-five steps, streamed")
        stream = await streamed(h, question)
    steps = [t for t in stream.tasks if t.title.startswith("Step ")]
    assert [t.title.split(" · ")[:2] for t in steps] == [[f"Step {n}", f"Step title {n}"] for n in range(1, 26)]
    assert all(t.status == "complete" for t in stream.tasks)
    assert all(f"Content of step {n}." in steps[n - 1].details for n in range(1, 26))
    assert "The answer is **4**." in stream.markdown_after_tasks
    assert stream.mode == "plan"
    assert stream.recipient is not None  # a channel stream names its recipient
    assert [m.ts for m in _replies(slack, question)] == [stream.ts]  # nothing else in the thread
    assert [c for c in slack.record.calls if not c.ok] == []  # the fake refuses whatever passes Slack's limits
    assert slack.record.rate_limited == []


async def test_the_step_being_thought_shows_in_progress_before_it_is_done(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
) -> None:
    scripts.default = Script(delay=0.8)
    async with harness(slack, fake_groq, options=STREAM) as h:
        question = await h.ask("take your time")

        def thinking() -> StreamedMessage | None:
            found = stream_under(slack, question)
            return found if found is not None and found.tasks and found.tasks[0].status == "in_progress" else None

        live = await slack.record.wait_for(thinking, what="step 1 in progress")
        assert len(fake_groq.chat_requests) <= 1  # step 1 is still being thought (its request may not be in yet)
        stream = await streamed(h, question)
    assert live.tasks[0].id == stream.tasks[0].id
    assert [t.status for t in stream.tasks][:2] == ["complete", "complete"]
    assert "in_progress" not in {t.status for t in stream.tasks}


async def test_the_expand_reaction_shows_the_steps_in_full_below_the_streamed_message(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
) -> None:
    long = "A long thought. " * 40  # more than a task's 256 characters of details
    scripts.default = Script(steps=(("Read", long), ("Count", "It is 4.")))
    async with harness(slack, fake_groq, options=STREAM) as h:
        question = await h.ask("expand me")
        stream = await streamed(h, question)
        assert len(stream.tasks[0].details) <= 256
        await h.deliver(slack.users.react(channel=CHANNEL, ts=stream.ts, user=ALICE, name="mag").payload)
        expanded = await slack.record.wait_thread(CHANNEL, question.ts, 2)
        await h.deliver(slack.users.react(channel=CHANNEL, ts=stream.ts, user=ALICE, name="mag", added=False).payload)
        await slack.record.wait_for(lambda: len(_replies(slack, question)) == 1, what="the steps taken away")
    shown = " ".join(str(m.blocks) for m in expanded[1:])
    assert long.strip() in shown.replace("\\n", " ") or shown.count("A long thought.") == 40
    assert "It is 4." in shown
    assert slack.record.stream(CHANNEL, stream.ts) == stream  # the streamed message itself is not rewritten


async def test_the_stop_reaction_ends_the_stream_with_the_tasks_so_far_and_a_note(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
) -> None:
    scripts.default = Script(steps=TWENTY_FIVE, hang_after=2)
    async with harness(slack, fake_groq, options=STREAM, step_cap=25) as h:
        question = await h.ask("never ends")

        def two_done() -> bool:
            found = stream_under(slack, question)
            return found is not None and [t.status for t in found.tasks][:2] == ["complete", "complete"]

        await slack.record.wait_for(two_done, what="two steps streamed")
        await h.deliver(slack.users.react(channel=CHANNEL, ts=question.ts, user=ALICE, name="octagonal_sign").payload)
        stream = await streamed(h, question)
    assert [t.status for t in stream.tasks][:2] == ["complete", "complete"]
    assert all(t.status in {"complete", "error"} for t in stream.tasks)  # none left in progress
    assert "Stopped" in stream.markdown_after_tasks
    assert [m.ts for m in _replies(slack, question)] == [stream.ts]


@pytest.fixture(params=[StreamRules(available=False), StreamRules(refusal="not_allowed")], ids=["unknown", "refused"])
async def refusing(request: pytest.FixtureRequest) -> AsyncIterator[FakeSlack]:
    async with FakeSlack(post_interval=0.02, post_burst=50, streams=request.param) as fake:
        yield fake


async def test_where_streams_are_refused_the_chain_shows_as_posts_and_the_workspace_is_remembered(
    refusing: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
) -> None:
    slack = refusing
    async with harness(slack, fake_groq, options=STREAM) as h:
        first = await h.answered((await h.ask("first")).ts)
        tried = len(slack.record.calls_to("chat.startStream"))
        second = await h.answered((await h.ask("second")).ts)
    assert [m.text.startswith("Answer:") for m in first] == [False, True]  # a step group, then the answer
    assert [m.text.startswith("Answer:") for m in second] == [False, True]
    assert slack.record.streams() == []
    assert tried == 1
    assert len(slack.record.calls_to("chat.startStream")) == 1  # the second chain did not try again


async def test_a_channel_kind_without_streams_falls_back_for_that_kind_only(
    fake_groq: FakeGroq, scripts: Scripts
) -> None:
    async with (
        FakeSlack(post_interval=0.02, post_burst=50, streams=StreamRules(unsupported="C")) as slack,
        harness(slack, fake_groq, options=STREAM) as h,
    ):
        replies = await h.answered((await h.ask("in a public channel")).ts)
        await h.answered((await h.ask("again")).ts)
    assert replies[-1].text.startswith("Answer:")
    assert slack.record.streams() == []
    assert len(slack.record.calls_to("chat.startStream")) == 1


async def test_a_stream_that_breaks_mid_chain_goes_on_as_posts_and_loses_no_step(
    fake_groq: FakeGroq, scripts: Scripts
) -> None:
    scripts.default = Script(steps=TWENTY_FIVE[:4], delay=0.4)
    quiet = SlackOptions(post_interval=0.0, max_retries=3, stream=True, layout=Layout(progress_every=0))
    async with (
        FakeSlack(post_interval=0.02, post_burst=50, streams=StreamRules(idle_timeout=0.2)) as slack,
        harness(slack, fake_groq, options=quiet) as h,
    ):
        question = await h.ask("breaks")
        replies = await h.answered(question.ts, timeout=15)
    [stream] = slack.record.streams()
    in_stream = [t.title for t in stream.tasks if t.status == "complete"]
    posted = " ".join(str(m.blocks) for m in replies)
    assert all(title in in_stream or title in posted for title, _ in TWENTY_FIVE[:4])
    assert replies[-1].text.startswith("Answer:")
