"""Which payloads ask a question, and what they ask. Payloads come from the fake Slack's event factory."""

from __future__ import annotations

from adapters.slack.triggers import from_command, from_dm, from_mention
from tests.fakes.slack import FakeSlack, Message

BOT = "U0THINKBOT"


def test_mention_strips_the_bot_and_decodes_text() -> None:
    slack = FakeSlack()
    top = slack.users.mention(channel="C0GENERAL", user="U0ALICE", text="is 1 < 2 & <@U0BOB> sure?")
    ask = from_mention(top.payload, bot_user_id=BOT)
    assert ask is not None
    assert ask.question == "is 1 < 2 & @U0BOB sure?"
    assert (ask.thread_ts, ask.ts, ask.follow_up) == (top.payload["event"]["ts"],) * 2 + (False,)
    assert ask.delivery_key == f"slack:T0THINK:{top.payload['event_id']}"
    assert top.message is not None
    inner = slack.users.mention(channel="C0GENERAL", user="U0ALICE", text="and then?", thread_ts=top.message.ts)
    follow = from_mention(inner.payload, bot_user_id=BOT)
    assert follow is not None
    assert (follow.thread_ts, follow.follow_up, follow.question) == (top.message.ts, True, "and then?")


def test_bots_and_edits_ask_nothing() -> None:
    slack = FakeSlack()
    dm = slack.users.dm(channel="D0ALICE", user="U0ALICE", text="hi")
    assert from_dm(dm.payload, bot_user_id=BOT) is not None
    ours = Message(channel="D0ALICE", ts="1.000001", text="step", user=BOT, bot_id="B0THINK")
    other = Message(channel="D0ALICE", ts="1.000002", text="beep", user="U0OTHERBOT", bot_id="B0OTHER")
    for message in (ours, other):
        assert from_dm(slack.events.message(message), bot_user_id=BOT) is None
        assert from_mention(slack.events.app_mention(message), bot_user_id=BOT) is None
    edited = dict(dm.payload, event={**dm.payload["event"], "subtype": "message_changed"})
    assert from_dm(edited, bot_user_id=BOT) is None
    in_channel = dict(dm.payload, event={**dm.payload["event"], "channel_type": "channel"})
    assert from_dm(in_channel, bot_user_id=BOT) is None


def test_command_has_no_thread_yet() -> None:
    slack = FakeSlack()
    command = slack.users.command(channel="C0GENERAL", user="U0ALICE", text=" why &amp; how? ").payload
    ask = from_command(command)
    assert (ask.question, ask.thread_ts, ask.ts, ask.user) == ("why & how?", None, None, "U0ALICE")
    assert ask.response_url == command["response_url"]
    assert ask.delivery_key == f"slack:T0THINK:command:{command['trigger_id']}"
