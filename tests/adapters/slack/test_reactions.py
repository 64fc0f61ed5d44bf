"""Reactions: expand and collapse (also after a restart, on Redis), expand-all on the answer, stop by the asker."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from adapters.slack import SlackOptions
from adapters.slack.tags import tags_of
from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import ALICE, BOB, CHANNEL, Harness, harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack, Message, User, Workspace
from tests.groq_waits import until_asked

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
    shared = {"redis_url": redis_url, "redis_key_prefix": f"slackrestart{time.time_ns()}"}
    async with harness(slack, fake_groq, keep_state=True, **shared) as h:
        question = await h.ask("think in three steps")
        replies = await h.answered(question.ts)
    async with harness(slack, fake_groq, **shared) as h2:
        await slack.socket.wait_connected(opened=2)
        await react(h2, replies[-1])
        await settled(h2, 1)
        shown = "\n".join(text_of(m) for m in slack.record.thread(CHANNEL, question.ts))
    assert "Second idea." in shown


async def test_stop_from_the_asker_cancels_and_keeps_steps(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = Script(steps=THREE.steps, hang_after=2)
    async with harness(slack, fake_groq) as h:
        question = await h.ask("think forever")
        await until_asked(fake_groq, 3)  # two steps done (in a group still open) and the third asked for
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


ADMIN = "U0ADA"
PEOPLE = (User(id=ALICE, name="alice"), User(id=BOB, name="bob"), User(id=ADMIN, name="ada", is_admin=True))


def shown_ideas(h: Harness, question: Message) -> set[str]:
    text = "\n".join(text_of(m) for m in h.slack.record.thread(CHANNEL, question.ts))
    return {idea for idea in ("First *idea*.", "Second idea.", "Third idea.") if idea in text}


async def test_only_the_asker_or_an_admin_may_expand_every_step(fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = THREE
    async with (
        FakeSlack(post_interval=0.02, post_burst=50, workspace=Workspace(users=PEOPLE)) as slack,
        harness(slack, fake_groq) as h,
    ):
        question = await h.ask("think in three steps")
        replies = await h.answered(question.ts)
        await react(h, replies[-1], user=BOB)  # neither asked nor administers: nothing happens
        await react(h, replies[-1], user=ADMIN)
        await settled(h, 1)
        updates_after_admin = len(slack.record.updates)
        expanded = shown_ideas(h, question)
        await react(h, replies[-1], user=ADMIN, added=False)
        await settled(h, 2)
    assert expanded == {"First *idea*.", "Second idea.", "Third idea."}
    steps = [m for m in replies if any(t.kind == "s" for t in tags_of(m.blocks))]
    assert updates_after_admin == len(steps)  # only the admin's reaction edited anything
    assert [c.params.get("user") for c in slack.record.calls_to("users.info")] == [BOB, ADMIN]


async def test_an_admin_may_stop_someone_elses_chain(fake_groq: FakeGroq, scripts: Scripts):
    """The same rule as on Discord: stop is for the asker or a moderator (here, a workspace admin or owner)."""
    scripts.default = Script(steps=THREE.steps, hang_after=2)
    async with (
        FakeSlack(post_interval=0.02, post_burst=50, workspace=Workspace(users=PEOPLE)) as slack,
        harness(slack, fake_groq) as h,
    ):
        question = await h.ask("think forever")
        await until_asked(fake_groq, 3)  # two steps done (in a group still open) and the third asked for
        await react(h, question, "octagonal_sign", user=BOB)  # neither asked nor administers: ignored
        await asyncio.sleep(0.2)
        assert h.bot.running == 1
        await react(h, question, "octagonal_sign", user=ADMIN)
        replies = await h.answered(question.ts)
    assert replies[-1].text == ":octagonal_sign: Stopped at the asker's request. The 2 steps above are kept."
    assert [c.params.get("user") for c in slack.record.calls_to("users.info")] == [BOB, ADMIN]


async def test_toggles_past_the_message_rate_do_nothing(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = THREE
    async with harness(slack, fake_groq, toggle_rates={"toggle_rate_message": "2/1m"}) as h:
        question = await h.ask("think in three steps")
        step_message = (await h.answered(question.ts))[0]
        await react(h, step_message, user=BOB)
        await settled(h, 1)
        await react(h, step_message, user=BOB, added=False)
        await settled(h, 2)
        await react(h, step_message, user=ALICE)  # a third toggle within the minute
        await asyncio.sleep(0.3)
        await h.bot.wait_idle()
    assert len(slack.record.updates) == 2
    assert "First" not in text_of(slack.record.message(CHANNEL, step_message.ts))  # type: ignore[arg-type]


async def test_toggles_past_the_user_rate_do_nothing(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = THREE
    async with harness(slack, fake_groq, toggle_rates={"toggle_rate_user": "1/1m"}) as h:
        question = await h.ask("think in three steps")
        replies = await h.answered(question.ts)
        steps = [m for m in replies if any(t.kind == "s" for t in tags_of(m.blocks))]
        await react(h, steps[0], user=BOB)
        await settled(h, 1)
        await react(h, steps[0], user=BOB, added=False)  # bob's second toggle: refused
        await react(h, steps[0], user=ALICE, added=True)  # alice has her own share
        await settled(h, 2)
        await asyncio.sleep(0.3)
        await h.bot.wait_idle()
    assert len(slack.record.updates) == 2
    assert "First *idea*." in text_of(slack.record.message(CHANNEL, steps[0].ts))  # type: ignore[arg-type]


async def test_a_reaction_before_the_link_is_saved_is_not_lost(fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = THREE
    async with (
        FakeSlack(post_interval=0.02, post_burst=50, reply_delays={"chat.postMessage": 0.4}) as slack,
        harness(slack, fake_groq) as h,
    ):
        question = await h.ask("think in three steps")
        [first] = await slack.record.wait_thread(CHANNEL, question.ts, 1)
        await react(h, first, user=BOB)  # Slack has not answered the post yet: no link is saved
        await slack.record.wait_for(lambda: slack.record.updates, what="the step expanded", timeout=10)
        await h.answered(question.ts, timeout=10)
    assert "First *idea*." in text_of(slack.record.message(CHANNEL, first.ts))  # type: ignore[arg-type]


async def test_one_expansion_adds_at_most_the_cap_and_says_what_was_cut(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    long = "\n\n".join(f"Line {i}: " + "detail " * 60 for i in range(300))  # ~130k characters
    scripts.default = Script(steps=(("Long", long),), answer="Short answer.")
    options = SlackOptions(post_interval=0.0, max_retries=3, thread_messages=3)
    async with harness(slack, fake_groq, options=options, step_max_tokens=65536) as h:
        question = await h.ask("explain at length")
        replies = await h.answered(question.ts)
        await react(h, replies[0])
        await slack.record.wait_thread(CHANNEL, question.ts, len(replies) + 3)
        await asyncio.sleep(0.3)
        await h.bot.wait_idle()
        expanded = slack.record.thread(CHANNEL, question.ts)
    more = [m for m in expanded if any(t.kind == "c" for t in tags_of(m.blocks))]
    assert len(more) == 3
    note = more[-1].blocks[-1]["elements"][0]["text"]
    assert note.startswith("✂️ The rest of step 1 (")
    assert note.endswith("did not fit: a chain posts at most 3 messages in a thread.")


def test_the_manifest_asks_for_users_read_to_know_admins() -> None:
    manifest = (Path(__file__).parents[3] / "manifest.yml").read_text()
    assert "- users:read" in {line.strip() for line in manifest.splitlines()}
