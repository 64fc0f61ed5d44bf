"""Questions by mention, DM and ``/think`` over Socket Mode: threads, order, escaping, dedupe."""

from __future__ import annotations

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
