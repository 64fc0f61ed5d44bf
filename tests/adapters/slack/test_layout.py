"""How a chain looks on Slack (issue 11): steps grouped by content, the same on every run, within Slack's limits;
a live progress line in the thread before the first step is done, partial steps included, gone at the end; compact
display; the step cap said."""

from __future__ import annotations

import pytest

from adapters.chat.layout import Layout
from adapters.slack import SlackOptions
from adapters.slack.tags import tags_of
from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import FAST, harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack, Message
from tests.streaming import PIECES, registered

pytestmark = pytest.mark.timeout(60)

TWENTY_FIVE = tuple((f"Step title {n}", f"Content of step {n}.") for n in range(1, 26))
LIVE = SlackOptions(post_interval=0.0, max_retries=3, layout=Layout(progress_every=0.2))


def layout(messages: list[Message]) -> list[list[int]]:
    """The step numbers each message shows (an empty list: the answer)."""
    return [[t.step for t in tags_of(m.blocks) if t.kind == "s" and t.step is not None] for m in messages]


async def test_a_25_step_chain_looks_the_same_on_two_runs_in_10_messages(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
) -> None:
    scripts["first"] = Script(steps=TWENTY_FIVE, delay=0.01)
    scripts["second"] = Script(steps=TWENTY_FIVE)
    async with harness(slack, fake_groq) as h:
        first = await h.answered((await h.ask("first: twenty-five steps")).ts, timeout=20)
        second = await h.answered((await h.ask("second: twenty-five steps")).ts, timeout=20)
    assert layout(first) == layout(second)
    assert len(first) <= 10
    assert [n for g in layout(first) for n in g] == list(range(1, 26))
    assert first[-1].text.startswith("Answer:")
    assert slack.record.rate_limited == []


async def test_the_thread_status_shows_the_step_before_it_is_done_and_goes_at_the_end(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
) -> None:
    scripts.default = Script(delay=0.8)
    async with harness(slack, fake_groq, options=LIVE) as h:
        question = await h.ask("take your time")
        status = await slack.record.wait_for(
            lambda: slack.record.status("C0GENERAL", question.ts), what="the thread's status"
        )
        assert len(fake_groq.chat_requests) == 1  # step 1 is still being thought
        assert status.startswith("is thinking step 1 · ")
        replies = await h.answered(question.ts)
    assert [m.text.startswith("Thinking") for m in replies] == [False, False]  # no progress line: a group, the answer
    assert slack.record.status("C0GENERAL", question.ts) == ""
    assert slack.record.calls_to("assistant.threads.setStatus")[-1].params["status"] == ""  # taken down


async def test_where_statuses_are_refused_a_progress_line_shows_and_goes_at_the_end(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
) -> None:
    scripts.default = Script(delay=0.8)
    slack.status.refusal = "missing_scope"
    async with harness(slack, fake_groq, options=LIVE) as h:
        question = await h.ask("take your time")
        line = await slack.record.wait_for(
            lambda: next((m for m in slack.record.thread("C0GENERAL", question.ts) if "step 1" in m.text), None),
            what="the progress line",
        )
        assert len(fake_groq.chat_requests) == 1  # step 1 is still being thought
        assert "Thinking step 1 · " in line.blocks[0]["elements"][0]["text"]
        replies = await h.answered(question.ts)
        refused = len(slack.record.calls_to("assistant.threads.setStatus"))
        await h.answered((await h.ask("and again")).ts)
    assert [m.text.startswith("Thinking") for m in replies] == [False, False]  # a step group and the answer
    assert slack.record.message("C0GENERAL", line.ts).deleted
    assert refused == 1  # refused once, then the line at every tick
    assert len(slack.record.calls_to("assistant.threads.setStatus")) == 1  # remembered for the workspace


async def test_a_partial_step_shows_as_it_is_written(slack: FakeSlack, fake_groq: FakeGroq) -> None:
    with registered():
        async with harness(slack, fake_groq, options=LIVE, strategy="streaming") as h:
            question = await h.ask("stream it")
            await h.answered(question.ts, timeout=10)
    loading = [" ".join(c.loading_messages) for c in slack.record.statuses]
    assert any(PIECES[0].strip()[:40] in m for m in loading)
    assert all(len(m) <= 50 for c in slack.record.statuses for m in c.loading_messages)
    assert len({m for m in loading if m}) >= 2  # it moved as the step was written


async def test_a_partial_step_shows_in_the_progress_line_where_statuses_are_refused(
    slack: FakeSlack, fake_groq: FakeGroq
) -> None:
    slack.status.refusal = "not_allowed_token_type"
    with registered():
        async with harness(slack, fake_groq, options=LIVE, strategy="streaming") as h:
            question = await h.ask("stream it")
            replies = await h.answered(question.ts, timeout=10)
    versions = [str(u.blocks) for u in slack.record.updates] + [str(m.blocks) for m in replies]
    partial = [v for v in versions if ":writing_hand:" in v]
    assert any(PIECES[0].strip() in v for v in partial)
    assert any("s, t, r, a, w," in v and "b, e, r, r, y." not in v for v in partial)  # it grew as it came
    assert not any(":writing_hand:" in str(m.blocks) for m in replies)


async def test_compact_display_posts_only_the_answer(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts) -> None:
    scripts.default = Script(steps=TWENTY_FIVE[:6])
    compact = SlackOptions(post_interval=0.0, max_retries=3, layout=Layout(display="compact"))
    async with harness(slack, fake_groq, options=compact) as h:
        replies = await h.answered((await h.ask("compact please")).ts)
    assert [m.text.split(":")[0] for m in replies] == ["Answer"]
    assert "6 steps" in str(replies[0].blocks[-1])


async def test_a_chain_at_the_step_cap_says_so(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts) -> None:
    scripts.default = Script(steps=TWENTY_FIVE)  # never says it is done within the cap
    async with harness(slack, fake_groq, options=FAST, step_cap=4) as h:
        replies = await h.answered((await h.ask("never done")).ts)
    footer = replies[-1].blocks[-1]["elements"][0]["text"]
    assert footer.startswith("4 steps · stopped at the step cap of 4 · ")
