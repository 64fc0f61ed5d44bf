"""Reactions: expand and collapse (also after a restart, on Redis), expand-all on the answer, stop by the asker."""

from __future__ import annotations

import asyncio

import pytest

from adapters.slack.tags import tags_of
from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import ALICE, BOB, CHANNEL, Harness, harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack, Message
from tests.service_kit import running_service

pytestmark = pytest.mark.timeout(30)

THREE = Script(steps=(("One", "First **idea**."), ("Two", "Second idea."), ("Three", "Third idea.")), delay=0.02)


async def react(h: Harness, message: Message, name: str = "mag", *, user: str = ALICE, added: bool = True) -> None:
    await h.deliver(h.slack.users.react(channel=CHANNEL, ts=message.ts, user=user, name=name, added=added).payload)


async def settled(h: Harness, count: int) -> list[Message]:
    """Wait for ``count`` chat.update calls in all, then return the current thread of the first question."""
    await h.slack.record.wait_for(lambda: len(h.slack.record.updates) >= count, what=f"{count} updates")
    await h.bot.wait_idle()
    return h.slack.record.messages(CHANNEL)


def text_of(message: Message) -> str:
    return "\n".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")


async def test_expand_then_collapse_a_step(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = THREE
    async with harness(slack, fake_groq) as h:
        question = await h.ask("think in three steps")
        replies = await h.answered(question.ts)
        step_message = replies[0]
        assert "First" not in text_of(step_message)
        await react(h, step_message)
        await settled(h, 1)
        expanded = slack.record.message(CHANNEL, step_message.ts)
        assert expanded is not None
        await react(h, step_message, added=False)
        await settled(h, 2)
        collapsed = slack.record.message(CHANNEL, step_message.ts)
    assert "*Step 1* · One" in text_of(expanded)
    assert "First *idea*." in text_of(expanded)
    assert collapsed is not None
    assert text_of(collapsed) == text_of(step_message)
    assert collapsed.edits == 2


async def test_expand_on_the_answer_expands_every_step(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = THREE
    async with harness(slack, fake_groq) as h:
        question = await h.ask("think in three steps")
        replies = await h.answered(question.ts)
        await react(h, replies[-1])
        steps = [m for m in replies if any(t.kind == "s" for t in tags_of(m.blocks))]
        await settled(h, len(steps))
        shown = "\n".join(text_of(m) for m in slack.record.thread(CHANNEL, question.ts))
        await react(h, replies[-1], added=False)
        await settled(h, 2 * len(steps))
        after = [slack.record.message(CHANNEL, m.ts) for m in replies]
    for idea in ("First *idea*.", "Second idea.", "Third idea."):
        assert idea in shown
    assert [text_of(m) for m in after if m] == [text_of(m) for m in replies]


async def test_expand_works_after_a_restart(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts, redis_url: str):
    scripts.default = THREE
    prefix = "slackrestart"
    async with running_service(groq=fake_groq, redis_url=redis_url, redis_key_prefix=prefix) as first_process:
        async with harness(slack, fake_groq, services=first_process) as h:
            question = await h.ask("think in three steps")
            replies = await h.answered(question.ts)
        async with (
            running_service(groq=fake_groq, redis_url=redis_url, redis_key_prefix=prefix) as second_process,
            harness(slack, fake_groq, services=second_process) as h2,
        ):
            await slack.socket.wait_connected(opened=2)
            await react(h2, replies[-1])
            await settled(h2, 1)
            shown = "\n".join(text_of(m) for m in slack.record.thread(CHANNEL, question.ts))
    assert "Second idea." in shown


async def test_stop_from_the_asker_cancels_and_keeps_steps(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = Script(steps=THREE.steps, hang_after=2)
    async with harness(slack, fake_groq) as h:
        question = await h.ask("think forever")
        await slack.record.wait_for(
            lambda: sum(len(m.blocks) for m in slack.record.thread(CHANNEL, question.ts)) >= 2, what="two steps"
        )
        await react(h, question, "octagonal_sign", user=BOB)  # not the asker: ignored
        await react(h, question, "octagonal_sign")
        replies = await h.answered(question.ts)
    assert replies[-1].text == ":octagonal_sign: Stopped at the asker's request. The 2 steps above are kept."
    step_lines = [b["text"]["text"] for m in replies[:-1] for b in m.blocks]
    assert [line.split(" · ")[1] for line in step_lines] == ["One", "Two"]
    assert slack.record.reactions(CHANNEL, question.ts) == {"octagonal_sign": (BOB, ALICE)}


async def test_reactions_on_unknown_messages_do_nothing(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    async with harness(slack, fake_groq) as h:
        other = slack.users.say(channel=CHANNEL, user=BOB, text="unrelated")
        await react(h, other)
        await react(h, other, "octagonal_sign")
        await react(h, other, "tada")
        await asyncio.sleep(0.3)
        await h.bot.wait_idle()
    assert slack.record.updates == []
    assert [c.method for c in slack.record.calls if c.method.startswith("chat.")] == []
