"""Follow-ups, failures and pacing: what a thread shows when a chain continues, fails or outruns Slack's limit."""

from __future__ import annotations

import itertools

import pytest

from adapters.slack import SlackOptions
from core.metrics import Metrics
from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import CHANNEL, harness
from tests.deploy.chains import sample
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack, Message

pytestmark = pytest.mark.timeout(30)

TWELVE = tuple((f"Title {i}", f"Content {i}") for i in range(1, 13))


def step_numbers(replies: list[Message]) -> list[int]:
    lines = [b["text"]["text"] for m in replies for b in m.blocks if b.get("block_id", "").startswith("tb:s:")]
    return [int(line.split("*")[1].removeprefix("Step ")) for line in lines]


async def test_follow_up_in_the_thread_carries_earlier_turns(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts["2+2"] = Script(answer="It is **4**.")
    scripts["times 3"] = Script(answer="Then **12**.")
    scripts["minus 2"] = Script(answer="Then 10.")
    async with harness(slack, fake_groq) as h:
        question = await h.ask("what is 2+2?")
        await h.answered(question.ts)
        await h.ask("and times 3?", thread_ts=question.ts)
        await slack.record.wait_for(
            lambda: sum(m.text.startswith("Answer:") for m in slack.record.thread(CHANNEL, question.ts)) == 2,
            what="the follow-up's answer",
        )
        await h.bot.wait_idle()
        await h.ask("minus 2?", thread_ts=question.ts)
        await slack.record.wait_for(
            lambda: sum(m.text.startswith("Answer:") for m in slack.record.thread(CHANNEL, question.ts)) == 3,
            what="the second follow-up's answer",
        )
        await h.bot.wait_idle()
    last = fake_groq.chat_requests[-1].messages
    said = [(m["role"], m["content"]) for m in last if m["role"] != "system"]
    assert said[:4] == [
        ("user", "what is 2+2?"),
        ("assistant", "It is **4**."),
        ("user", "and times 3?"),
        ("assistant", "Then **12**."),
    ]
    assert ("user", "minus 2?") in said
    answers = [m for m in slack.record.thread(CHANNEL, question.ts) if m.text.startswith("Answer:")]
    assert [m.text for m in answers] == ["Answer: It is *4*.", "Answer: Then *12*.", "Answer: Then 10."]  # mrkdwn


async def test_one_setting_says_how_many_earlier_turns_a_follow_up_carries(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    """``THINKBOT_HISTORY_TURNS``, the core's setting that both platforms read (here 1: only the last answer)."""
    scripts["2+2"] = Script(answer="It is 4.")
    scripts["times 3"] = Script(answer="Then 12.")
    scripts["minus 2"] = Script(answer="Then 10.")
    async with harness(slack, fake_groq, history_turns=1) as h:
        question = await h.ask("what is 2+2?")
        await h.answered(question.ts)
        for number, text in enumerate(("and times 3?", "minus 2?"), start=2):
            await h.ask(text, thread_ts=question.ts)
            await slack.record.wait_for(
                lambda n=number: (
                    sum(m.text.startswith("Answer:") for m in slack.record.thread(CHANNEL, question.ts)) == n
                ),
                what=f"answer {number}",
            )
            await h.bot.wait_idle()
    said = [(m["role"], m["content"]) for m in fake_groq.chat_requests[-1].messages if m["role"] != "system"]
    assert said[:3] == [("user", "and times 3?"), ("assistant", "Then 12."), ("user", "minus 2?")]


async def test_failed_chain_says_so_and_keeps_its_steps(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = Script(steps=TWELVE, hang_after=2)
    async with harness(slack, fake_groq, chain_deadline=0.5) as h:
        question = await h.ask("this will time out")
        replies = await h.answered(question.ts)
    assert step_numbers(replies) == [1, 2]
    assert replies[-1].text == (
        ":warning: The chain ran past its 0.5 s time limit and was stopped. The 2 steps above are kept."
    )
    assert slack.record.reactions(CHANNEL, question.ts) == {}


async def test_twelve_steps_paced_per_channel_coalesced_in_order(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    scripts.default = Script(steps=TWELVE, delay=0.02)
    async with FakeSlack(post_interval=0.2, post_burst=1) as paced:
        options = SlackOptions(post_interval=0.2, max_retries=3)
        async with harness(paced, fake_groq, options=options, step_cap=12) as h:
            question = await h.ask("twelve steps please")
            replies = await h.answered(question.ts, timeout=15)
    assert step_numbers(replies) == list(range(1, 13))
    assert paced.record.rate_limited_count == 0
    assert len(replies) < 13  # steps that came faster than the pace went out together
    times = [float(m.ts) for m in replies]
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(times))


@pytest.mark.slow
async def test_429_retry_after_is_honoured_and_nothing_is_lost(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    """Another process (or a pace set too fast) overruns Slack: the SDK waits out Retry-After and retries."""
    scripts.default = Script(steps=TWELVE[:4], delay=0.05)
    async with FakeSlack(post_interval=1.0, post_burst=1) as strict:
        options = SlackOptions(post_interval=0.0, max_retries=5)
        metrics = Metrics()
        async with harness(strict, fake_groq, options=options, metrics=metrics) as h:
            question = await h.ask("four steps please")
            replies = await h.answered(question.ts, timeout=20)
    assert strict.record.rate_limited_count >= 1
    counted = sample(metrics.exposition().decode(), "thinkbot_platform_rate_limited_total", platform="slack")
    assert counted == strict.record.rate_limited_count
    assert step_numbers(replies) == [1, 2, 3, 4]
    assert replies[-1].text.startswith("Answer:")
