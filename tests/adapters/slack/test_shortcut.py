""" "Think about this message" (the message shortcut) end to end, over Socket Mode and HTTP with redis-server: acked
at once, answered in the message's thread, refusals private, a redelivery once; and the manifest defines it."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.chat.about_message import NO_TEXT, SHORTCUT_ID, TITLE
from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import ALICE, BOB, CHANNEL, harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.timeout(30)

MANIFEST = Path(__file__).parents[3] / "manifest.yml"


async def test_the_shortcut_answers_in_the_messages_thread(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts, redis_url: str
) -> None:
    scripts["sky"] = Script(steps=(("Light", "Sunlight scatters."),), answer="Rayleigh scattering.")
    scripts["grass"] = Script(steps=(("Leaves", "Chlorophyll."),), answer="Chlorophyll reflects green.")
    async with harness(slack, fake_groq, redis_url=redis_url) as h:
        asked = slack.users.say(channel=CHANNEL, user=BOB, text="Why is the sky blue?")
        used = slack.users.shortcut(channel=CHANNEL, ts=asked.ts, user=ALICE)
        envelope = await slack.socket.deliver_interactive(used.payload)
        assert (await slack.socket.wait_ack(envelope, timeout=3.0)).payload is None
        replies = await h.answered(asked.ts)
        reply = slack.users.say(channel=CHANNEL, user=BOB, text="And why is grass green?", thread_ts=asked.ts)
        await slack.socket.deliver_interactive(slack.users.shortcut(channel=CHANNEL, ts=reply.ts, user=ALICE).payload)
        await slack.record.wait_for(
            lambda: sum(m.text.startswith("Answer:") for m in slack.record.thread(CHANNEL, asked.ts)) == 2,
            what="the second answer in the same thread",
        )
        await h.bot.wait_idle()
    assert all(m.thread_ts == asked.ts for m in replies)
    assert replies[-1].text.startswith("Answer:")
    assert "Rayleigh scattering." in " ".join(b["text"]["text"] for b in replies[-1].blocks if b["type"] == "section")
    changes = [(c.name, c.added) for c in slack.record.reaction_changes if c.ts == asked.ts]
    assert changes == [("hourglass_flowing_sand", True), ("hourglass_flowing_sand", False)]
    answers = [m for m in slack.record.thread(CHANNEL, asked.ts) if m.text.startswith("Answer:")]
    assert "Chlorophyll reflects green." in " ".join(b["text"]["text"] for b in answers[-1].blocks if "text" in b)
    assert [m.ts for m in slack.record.timeline(CHANNEL)] == [asked.ts]  # nothing new in the channel itself
    assert not slack.record.ephemerals


async def test_a_message_without_text_or_too_long_is_refused_privately(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts, redis_url: str
) -> None:
    async with harness(slack, fake_groq, redis_url=redis_url, max_question_chars=50) as h:
        blank = slack.users.say(channel=CHANNEL, user=BOB, text="")
        long = slack.users.say(channel=CHANNEL, user=BOB, text="why " * 40)
        for message in (blank, long):
            used = slack.users.shortcut(channel=CHANNEL, ts=message.ts, user=ALICE)
            await slack.socket.wait_ack(await slack.socket.deliver_interactive(used.payload), timeout=3.0)
        await slack.record.wait_for(lambda: len(slack.record.ephemerals) == 2, what="two private refusals")
        await h.bot.wait_idle()
    texts = sorted(e.text for e in slack.record.ephemerals)
    assert {(e.user, e.source) for e in slack.record.ephemerals} == {(ALICE, "response_url")}
    assert NO_TEXT in texts
    assert any("the limit is 50" in t for t in texts)
    assert not fake_groq.chat_requests
    assert len(slack.record.messages(CHANNEL)) == 2  # only the two messages


async def test_a_redelivered_shortcut_is_answered_once(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts, redis_url: str
) -> None:
    async with harness(slack, fake_groq, redis_url=redis_url) as h:
        asked = slack.users.say(channel=CHANNEL, user=BOB, text="Once only?")
        used = slack.users.shortcut(channel=CHANNEL, ts=asked.ts, user=ALICE)
        await slack.socket.deliver_interactive(used.payload)
        await slack.socket.deliver_interactive(used.payload)  # the same action (its trigger_id) twice
        await h.answered(asked.ts)
        await h.bot.wait_idle()
    answers = [m for m in slack.record.thread(CHANNEL, asked.ts) if m.text.startswith("Answer:")]
    assert len(answers) == 1


async def test_the_shortcut_over_http(slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts, redis_url: str) -> None:
    async with harness(slack, fake_groq, mode="http", redis_url=redis_url) as h:
        asked = slack.users.say(channel=CHANNEL, user=BOB, text="Over HTTP?")
        async with slack.signed_poster(f"{h.url}/slack/events") as poster:
            reply = await poster.post_interactive(
                slack.users.shortcut(channel=CHANNEL, ts=asked.ts, user=ALICE).payload
            )
        replies = await h.answered(asked.ts)
    assert reply.status == 200
    assert replies[-1].text.startswith("Answer:")


def test_the_manifest_defines_the_message_shortcut_with_interactivity_on() -> None:
    lines = [line.strip() for line in MANIFEST.read_text().splitlines()]
    start = lines.index("shortcuts:")
    entry = {}
    for line in lines[start + 1 : start + 5]:
        key, _, value = line.removeprefix("- ").partition(": ")
        entry[key] = value
    assert entry["name"] == TITLE
    assert len(TITLE) <= 24  # Slack's limit for a shortcut's name
    assert (entry["type"], entry["callback_id"]) == ("message", SHORTCUT_ID)
    assert 0 < len(entry["description"]) <= 150
    interactivity = lines[lines.index("interactivity:") + 1]
    assert interactivity.startswith("is_enabled: true")
