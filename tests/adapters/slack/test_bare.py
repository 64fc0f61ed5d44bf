"""A bare chain on Slack: its thread holds the answer alone, once, with a footer that says it took no steps."""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.timeout(30)


async def test_a_bare_chain_posts_only_its_answer(slack: FakeSlack, fake_groq: FakeGroq) -> None:
    fake_groq.reply("Two plus two is *4*.")
    async with harness(slack, fake_groq, strategy="bare") as h:
        replies = await h.answered((await h.ask("What is 2+2?")).ts)
    assert len(fake_groq.chat_requests) == 1
    [answer] = replies
    assert answer.text.startswith("Answer: Two plus two is")
    assert str(answer.blocks).count("Two plus two is") == 1
    footer = answer.blocks[-1]["elements"][0]["text"]
    assert footer.startswith("0 steps · ")
    assert "react" not in footer  # nothing to expand
