"""Questions by mention, DM and ``/think`` over Socket Mode: threads, order, escaping, dedupe."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import ALICE, CHANNEL, harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.timeout(30)


async def test_mention_answers_in_the_thread_of_the_question(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts["2+2"] = Script(steps=(("Read", "Two plus two."), ("Add", "2 + 2 = 4")), answer="It is **4**.")
    async with harness(slack, fake_groq) as h:
        question = await h.ask("what is 2+2?")
        replies = await h.answered(question.ts)
    assert all(m.thread_ts == question.ts for m in replies)
    assert replies[-1].text.startswith("Answer:")
    step_lines = [b["text"]["text"] for m in replies[:-1] for b in m.blocks]
    assert step_lines[0].startswith("*Step 1* · Read")
    assert step_lines[1].startswith("*Step 2* · Add")
    answer_text = " ".join(b["text"]["text"] for b in replies[-1].blocks if b["type"] == "section")
    assert "It is *4*." in answer_text
    assert slack.record.reactions(CHANNEL, question.ts) == {}
    changes = [(c.name, c.added) for c in slack.record.reaction_changes if c.ts == question.ts]
    assert changes == [("hourglass_flowing_sand", True), ("hourglass_flowing_sand", False)]
    assert ALICE not in {m.user for m in replies}


async def test_dm_is_answered_in_its_thread_and_own_messages_are_ignored(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    async with harness(slack, fake_groq) as h:
        dm = slack.users.dm(channel="D0ALICE", user=ALICE, text="why is the sky blue?")
        await h.deliver(dm.payload)
        assert dm.message is not None
        replies = await h.answered(dm.message.ts, channel="D0ALICE")
        for reply in replies:  # the fake does not echo our own messages; Slack does, so we deliver them
            await h.deliver(slack.events.message(reply, channel_type="im"))
        await h.deliver(slack.users.dm(channel="D0ALICE", user=ALICE, text="edit").payload | {"event": {}})
        await h.bot.wait_idle()
    assert len(fake_groq.chat_requests) == 3  # one chain: two steps and the answer
    assert [m.thread_ts for m in slack.record.messages("D0ALICE") if m.user != ALICE] == [dm.message.ts] * 2


async def test_think_command_posts_a_header_and_threads_under_it(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts
):
    async with harness(slack, fake_groq) as h:
        command = slack.users.command(channel=CHANNEL, user=ALICE, text="is <!channel> & <@U0BOB> safe?")
        envelope = await slack.socket.deliver_command(command.payload)
        assert (await slack.socket.wait_ack(envelope)).payload is None
        header = await slack.record.wait_for(
            lambda: next((m for m in slack.record.timeline(CHANNEL) if m.bot_id), None), what="the header"
        )
        replies = await h.answered(header.ts)
    assert header.blocks[0]["text"]["text"] == "<@U0ALICE> asked:\n>is @channel &amp; @U0BOB safe?"
    assert [m.thread_ts for m in replies] == [header.ts] * len(replies)
    assert replies[-1].text.startswith("Answer:")
    assert slack.record.ephemerals == []


async def test_model_output_with_special_mentions_is_escaped(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    scripts.default = Script(
        steps=(("Ping <!channel>", "Tell <!here> and <@U0BOB> & <#C0GENERAL>"),),
        answer="Done <!channel> **<@U0BOB>**",
    )
    async with harness(slack, fake_groq) as h:
        question = await h.ask("say hi to everyone")
        replies = await h.answered(question.ts)
        await h.deliver(slack.users.react(channel=CHANNEL, ts=replies[0].ts, user=ALICE, name="mag").payload)
        expanded = await slack.record.wait_for(lambda: slack.record.updates, what="the expanded step")
    shown = " ".join([m.text for m in replies] + [str(m.blocks) for m in replies] + [str(expanded[0].blocks)])
    assert "Tell &lt;!here&gt; and &lt;@U0BOB&gt; &amp; &lt;#C0GENERAL&gt;" in str(expanded[0].blocks)
    assert "<!" not in shown
    assert "<@U0BOB" not in shown
    assert "&lt;!channel&gt;" in shown
    assert "*&lt;@U0BOB&gt;*" in str(replies[-1].blocks)


async def test_redelivered_event_is_answered_once(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    """Slack delivers an event again (same ``event_id``, new envelope) when it thinks the first went unacked."""
    async with harness(slack, fake_groq) as h:
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="once please")
        assert mention.message is not None
        first = await h.deliver(mention.payload)
        await slack.record.wait_thread(CHANNEL, mention.message.ts, 1)
        again = await h.deliver(mention.payload)
        await slack.socket.wait_ack(again)
        replies = await h.answered(mention.message.ts)
        await asyncio.sleep(0.1)
        await h.bot.wait_idle()
    assert first != again
    assert [m.text for m in slack.record.thread(CHANNEL, mention.message.ts)] == [m.text for m in replies]
    assert sum(m.text.startswith("Answer:") for m in replies) == 1
    assert len(fake_groq.chat_requests) == 3
    assert slack.record.ephemerals == []


async def test_rate_limited_user_gets_an_ephemeral_note(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts):
    async with harness(slack, fake_groq, user_rate="1/1h") as h:
        first = await h.ask("first question")
        await h.answered(first.ts)
        second = await h.ask("second question")
        note = await slack.record.wait_for(lambda: slack.record.ephemerals, what="an ephemeral")
        await h.bot.wait_idle()
    assert [(e.user, e.channel, e.thread_ts) for e in note] == [(ALICE, CHANNEL, None)]
    assert note[0].text == ":hourglass: You are asking faster than this bot allows. Please try again in 60 min."
    assert slack.record.thread(CHANNEL, second.ts) == []
    assert slack.record.reactions(CHANNEL, second.ts) == {}


async def test_no_secret_reaches_the_logs_even_at_debug(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    async with harness(slack, fake_groq, mode="http") as h, slack.signed_poster(f"{h.url}/slack/events") as poster:
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text="keep it secret")
        assert mention.message is not None
        await poster.post_event(mention.payload)
        await h.answered(mention.message.ts)
    async with harness(slack, fake_groq) as h:
        question = await h.ask("and over the socket")
        await h.answered(question.ts)
    ws = slack.workspace
    assert "chat.postMessage" in caplog.text  # the SDK did log its requests
    for secret in (ws.bot_token, ws.app_token, ws.signing_secret, fake_groq.api_key):
        assert secret not in caplog.text
