"""An install outside the Slack Marketplace, where ``conversations.replies`` allows one call a minute of 15 messages,
expands, collapses and follows up like any other: all of it comes from the core's records, never from the thread."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.slack import SlackOptions
from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import ALICE, CHANNEL, Harness, harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack, Message

pytestmark = pytest.mark.timeout(30)

LONG = "\n\n".join(f"Line {i}: " + "detail " * 60 for i in range(60))  # ~26k characters: 3 messages expanded
STEPS = (("Read", "First **idea**."), ("Long", LONG), ("Check", "Third idea."))


async def react(h: Harness, message: Message, *, added: bool = True) -> None:
    await h.deliver(h.slack.users.react(channel=CHANNEL, ts=message.ts, user=ALICE, name="mag", added=added).payload)


def shown(slack: FakeSlack, parent: str) -> str:
    return "\n".join(b["text"]["text"] for m in slack.record.thread(CHANNEL, parent) for b in m.blocks if "text" in b)


async def settle(h: Harness, what: str, done: Callable[[], bool]) -> None:
    await h.slack.record.wait_for(done, what=what)
    await h.bot.wait_idle()


async def test_expansions_and_follow_ups_never_read_the_thread(fake_groq: FakeGroq, scripts: Scripts):
    scripts["2+2"] = Script(steps=STEPS, answer="It is **4**.")
    scripts["times 3"] = Script(answer="Then **12**.")
    options = SlackOptions(post_interval=0.0, max_retries=3, thread_messages=20)
    async with (
        FakeSlack(post_interval=0.02, post_burst=50, non_marketplace=True) as slack,
        harness(slack, fake_groq, options=options, step_max_tokens=65536) as h,
    ):
        question = await h.ask("what is 2+2?")
        replies = await h.answered(question.ts)
        count = len(slack.record.thread(CHANNEL, question.ts))
        await react(h, replies[-1])  # on the answer: every step, the long one with its continuations
        await settle(h, "every step expanded", lambda: "Line 59:" in shown(slack, question.ts))
        expanded = shown(slack, question.ts)
        grown = len(slack.record.thread(CHANNEL, question.ts))
        await react(h, replies[-1], added=False)
        await settle(h, "all collapsed", lambda: len(slack.record.thread(CHANNEL, question.ts)) == count)
        collapsed = shown(slack, question.ts)
        await h.ask("and times 3?", thread_ts=question.ts)
        await settle(h, "the follow-up's answer", lambda: "Then *12*" in shown(slack, question.ts))
    assert slack.record.calls_to("conversations.replies") == []
    assert grown > count + 1  # the long step's continuations were posted, then removed again
    for idea in ("First *idea*.", "Line 0:", "Line 59:", "Third idea."):
        assert idea in expanded
        assert idea not in collapsed
    said = [(m["role"], m["content"]) for m in fake_groq.chat_requests[-1].messages if m["role"] != "system"]
    assert said[:3] == [("user", "what is 2+2?"), ("assistant", "It is **4**."), ("user", "and times 3?")]
