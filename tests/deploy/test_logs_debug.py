"""At DEBUG, through ``thinkbot run``'s logging and both adapters (Slack over Socket Mode, Discord over the gateway):
a question or an answer shows at most as the 40-character excerpt, no library logs a prompt, an envelope or a
payload, and no token shows."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.run_kit import make_plan, running

CHANNEL = "C0GENERAL"
ALICE = "U0ALICE"
HEAD = "Please tell me, as plainly as you can manage, "
SLACK_TAIL = "why the quokka-narwhal-1729 smiles"
DISCORD_TAIL = "why the pangolin-axolotl-4104 naps"
ANSWER_TAIL = "because of ibex-marmot-8128"


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in before[0]:
        root.addHandler(handler)
    root.setLevel(before[1])


def script(fake: FakeGroq) -> None:
    content = "Step text that mentions " + ANSWER_TAIL
    fake.reply(json.dumps({"title": "Only step", "content": content, "next_action": "final_answer"}))
    fake.reply("The answer is long enough to be cut, " + ANSWER_TAIL)


async def test_debug_logs_hold_no_question_answer_payload_or_token(
    fake_groq: FakeGroq, redis_url: str, slack: FakeSlack, discord_fake: FakeDiscord, debug_log: io.StringIO
):
    guild = discord_fake.add_guild("Thinkers")
    channel = discord_fake.add_text_channel(guild, "general")
    alice = discord_fake.add_user("alice", guilds=[guild])
    plan = make_plan(fake_groq, redis_url, slack_fake=slack, discord_fake=discord_fake, log_level="DEBUG")
    configure_logging(level="DEBUG", fmt="text", secrets=plan.secrets(), stream=debug_log)
    async with running(plan):
        await slack.socket.wait_connected()
        script(fake_groq)
        mention = slack.users.mention(channel=CHANNEL, user=ALICE, text=HEAD + SLACK_TAIL)
        await slack.socket.deliver_event(mention.payload)
        await slack.record.wait_for(
            lambda: any(m.text.startswith("Answer:") for m in slack.record.thread(CHANNEL, mention.message.ts)),
            what="the Slack answer",
        )
        script(fake_groq)
        interaction = discord_fake.run_command(
            "think", user_id=alice, channel_id=channel, options={"question": HEAD + DISCORD_TAIL}
        )
        await discord_fake.wait_until(
            lambda: any("**Answer:**" in m.content for m in discord_fake.record.messages(channel)),
            timeout=10,
            what="the Discord answer",
        )
    text = debug_log.getvalue()
    assert " DEBUG core." in text  # DEBUG applied: the question's excerpt is there
    assert HEAD[:40] in text
    for hidden in (SLACK_TAIL, DISCORD_TAIL, ANSWER_TAIL, "Only step", "envelope_id", '"event"', "json"):
        assert hidden not in text, hidden
    ws = slack.workspace
    for secret in (ws.bot_token, ws.app_token, fake_groq.api_key, discord_fake.token, interaction.token):
        assert secret not in text
