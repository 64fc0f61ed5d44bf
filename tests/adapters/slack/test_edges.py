"""Edges: expansions past Slack's limits, empty questions, broadcast answers, channels the bot is not in, queueing."""

from __future__ import annotations

import pytest

from adapters.slack import SlackOptions
from adapters.slack.tags import tags_of
from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import ALICE, BOB, CHANNEL, harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.timeout(30)


async def test_long_step_expands_into_continuations_that_collapse_away(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    long = "\n\n".join(f"Line {i}: " + "detail " * 60 for i in range(420))  # ~180k characters, ~60 sections
    scripts.default = Script(steps=(("Long", long),), answer="Short answer.")
    roomy = SlackOptions(post_interval=0.0, max_retries=3, thread_messages=30)  # the default cap of 12 would cut it
    async with harness(slack, fake_groq, options=roomy, step_max_tokens=65536) as h:
        question = await h.ask("explain at length")
        replies = await h.answered(question.ts)
        step_message = replies[0]
        await h.deliver(slack.users.react(channel=CHANNEL, ts=step_message.ts, user=ALICE, name="mag").payload)
        await slack.record.wait_thread(CHANNEL, question.ts, len(replies) + 1)
        await h.bot.wait_idle()
        expanded = slack.record.thread(CHANNEL, question.ts)
        await h.deliver(
            slack.users.react(channel=CHANNEL, ts=step_message.ts, user=ALICE, name="mag", added=False).payload
        )
        await slack.record.wait_for(
            lambda: len(slack.record.thread(CHANNEL, question.ts)) == len(replies), what="the continuation deleted"
        )
        await h.bot.wait_idle()
        collapsed = slack.record.thread(CHANNEL, question.ts)
    more = [m for m in expanded if any(t.kind == "c" for t in tags_of(m.blocks))]
    assert len(more) >= 2  # at most 12,000 characters of block text per message (msg_blocks_too_long)
    assert {m.thread_ts for m in more} == {question.ts}
    shown = "\n".join(b["text"]["text"] for m in expanded for b in m.blocks if b["type"] == "section")
    assert all(f"Line {i}:" in shown for i in range(420))
    assert [m.ts for m in collapsed] == [m.ts for m in replies]
    assert collapsed[0].blocks == step_message.blocks


async def test_an_empty_mention_gets_a_private_hint(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    async with harness(slack, fake_groq) as h:
        question = await h.ask("   ")
        [note] = await slack.record.wait_for(lambda: slack.record.ephemerals, what="the hint")
        await h.bot.wait_idle()
    assert note.user == ALICE
    assert "empty" in note.text.lower()
    assert slack.record.thread(CHANNEL, question.ts) == []
    assert fake_groq.chat_requests == []


async def test_answer_can_be_broadcast_to_the_channel(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    async with harness(slack, fake_groq, options=SlackOptions(post_interval=0, broadcast_answer=True)) as h:
        question = await h.ask("share it")
        replies = await h.answered(question.ts)
    assert [m.reply_broadcast for m in replies] == [False] * (len(replies) - 1) + [True]
    assert slack.record.timeline(CHANNEL)[-1].ts == replies[-1].ts


async def test_think_where_the_bot_is_not_a_member_says_how_to_fix_it(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    async with harness(slack, fake_groq) as h:
        slack.web.fail_next("chat.postMessage", "not_in_channel")
        command = slack.users.command(channel="C0PRIVATE", user=ALICE, text="hello?")
        await slack.socket.deliver_command(command.payload)
        [note] = await slack.record.wait_for(lambda: slack.record.ephemerals, what="the note")
        await h.bot.wait_idle()
    assert (note.source, note.user) == ("response_url", ALICE)
    assert "/invite @thinkbot" in note.text
    assert slack.record.messages("C0PRIVATE") == []


async def test_a_queued_question_tells_its_asker_and_is_answered_later(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    scripts["slow"] = Script(delay=0.25)
    async with harness(slack, fake_groq, max_concurrent_chains=1) as h:
        first = await h.ask("a slow one")
        await slack.record.wait_for(lambda: slack.record.reactions(CHANNEL, first.ts), what="the first to start")
        second = await h.ask("a quick one", user=BOB)
        [note] = await slack.record.wait_for(lambda: slack.record.ephemerals, what="the queue note")
        await h.answered(first.ts)
        replies = await h.answered(second.ts)
    assert (note.user, note.text) == (BOB, "Busy right now: your question is number 1 in line.")
    assert replies[-1].text.startswith("Answer:")


async def test_a_missing_reactions_scope_does_not_stop_the_chain(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    async with harness(slack, fake_groq) as h:
        slack.web.fail_next("reactions.add", "missing_scope")
        question = await h.ask("still answer please")
        replies = await h.answered(question.ts)
    assert replies[-1].text.startswith("Answer:")
    assert slack.record.calls_to("reactions.remove") == []


async def test_shutting_down_mid_chain_leaves_a_note(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = Script(hang_after=1)
    async with harness(slack, fake_groq) as h:
        question = await h.ask("this never ends")
        await slack.record.wait_for(lambda: len(fake_groq.chat_requests) >= 2, what="step 2 being thought")
        await h.bot.aclose()
        replies = slack.record.thread(CHANNEL, question.ts)
    assert replies[-1].text == ":warning: Thinkbot restarted before this chain finished; please ask again."
    assert slack.record.reactions(CHANNEL, question.ts) == {}
    assert h.bot.running == 0


async def test_over_budget_workspace_gets_an_ephemeral_note(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    async with harness(slack, fake_groq, daily_token_budget=1) as h:
        first = await h.ask("spend the budget")
        await h.answered(first.ts)
        second = await h.ask("one more", user=BOB)
        [note] = await slack.record.wait_for(lambda: slack.record.ephemerals, what="the budget note")
        await h.bot.wait_idle()
    assert note.user == BOB
    assert note.text.startswith(":hourglass: Today's token budget here is used up")
    assert "it resets at 00:00 UTC" in note.text
    assert slack.record.thread(CHANNEL, second.ts) == []
