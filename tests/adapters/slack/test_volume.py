"""How much one chain may post in Slack: a long answer, many slow steps and a failure after many steps all stay
within the thread cap and Slack's size rules; what is cut is said, never silently dropped."""

from __future__ import annotations

import re

import pytest

from adapters.chat.layout import Layout
from adapters.slack import SlackOptions
from adapters.slack.tags import tags_of
from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack, Message

pytestmark = pytest.mark.timeout(60)

BIG = "\n\n".join(f"Paragraph {i}: " + "lorem ipsum dolor sit amet " * 30 for i in range(246))  # ~200 KB
SIXTEEN = tuple((f"Title {i}", f"Content {i}") for i in range(1, 17))


def block_text(message: Message) -> int:
    total = 0
    for block in message.blocks:
        texts = [block.get("text") or {}, *block.get("elements", ())]
        total += sum(len(t["text"]) for t in texts if isinstance(t, dict) and isinstance(t.get("text"), str))
    return total


def shown(messages: list[Message]) -> str:
    texts = [block.get("text") or {} for m in messages for block in m.blocks]
    texts += [e for m in messages for block in m.blocks for e in block.get("elements", ())]
    return "\n".join(t["text"] for t in texts if isinstance(t, dict) and isinstance(t.get("text"), str))


def step_numbers(messages: list[Message]) -> list[int]:
    return [t.step for m in messages for t in tags_of(m.blocks) if t.kind == "s" and t.step is not None]


async def test_a_200_kb_answer_fills_the_cap_and_says_how_much_was_cut(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    scripts.default = Script(answer=BIG)
    async with harness(slack, fake_groq, final_max_tokens=65536) as h:
        question = await h.ask("say everything")
        replies = await h.answered(question.ts, timeout=30)
    assert len(replies) == 12
    assert max(block_text(m) for m in replies) <= 12_000
    assert all(len(m.blocks) <= 50 for m in replies)
    text = shown(replies)
    [note] = re.findall(r"The rest of the answer \(([\d,]+) characters\) did not fit: a chain posts at most 12", text)
    kept = [i for i in range(246) if f"Paragraph {i}: " in text]
    assert kept == list(range(len(kept)))  # the start of the answer, in order
    assert int(note.replace(",", "")) >= len(BIG) - sum(block_text(m) for m in replies)
    assert "react :mag: here to expand every step" in text  # the footer stays


async def test_steps_after_their_share_are_folded_into_one_message(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    scripts.default = Script(steps=SIXTEEN, delay=0.05)
    options = SlackOptions(post_interval=0.0, max_retries=3, thread_messages=8, layout=Layout(group_steps=1))
    async with harness(slack, fake_groq, options=options, step_cap=16) as h:
        question = await h.ask("sixteen steps")
        replies = await h.answered(question.ts, timeout=20)
    assert len(replies) == 8
    assert step_numbers(replies) == list(range(1, 17))
    assert [step_numbers([m]) for m in replies[:6]] == [[n] for n in range(1, 7)]
    assert step_numbers([replies[6]]) == list(range(7, 17))
    assert replies[7].text.startswith("Answer:")


async def test_a_failure_after_many_steps_stays_within_the_cap(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = Script(steps=SIXTEEN, delay=0.05, hang_after=12)
    options = SlackOptions(post_interval=0.0, max_retries=3, thread_messages=6, layout=Layout(group_steps=1))
    async with harness(slack, fake_groq, options=options, step_cap=16, chain_deadline=2.0) as h:
        question = await h.ask("this will time out")
        replies = await h.answered(question.ts, timeout=20)
    assert len(replies) == 6
    assert step_numbers(replies) == list(range(1, 13))
    assert replies[-1].text.startswith(":warning: The chain ran past its 2")
    assert replies[-1].text.endswith("The 12 steps above are kept.")
