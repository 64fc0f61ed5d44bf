"""The README's "What a user sees" is what the bot shows today: tests/transcripts.py runs the chain in every display
mode against the fakes, and the README must hold exactly its output (regenerate it with
``.venv/bin/python -m tests.transcripts --write``)."""

from __future__ import annotations

import re

import pytest

from tests.fakes.groq_server import FakeGroq
from tests.transcripts import END, MODES, QUESTION, README, START, section, transcripts

pytestmark = pytest.mark.timeout(60)


async def test_the_readme_shows_what_a_user_sees_in_each_mode_as_the_bot_shows_it_now(
    fake_groq: FakeGroq, redis_url: str
) -> None:
    shown = await transcripts(fake_groq, redis_url)
    assert list(shown) == list(MODES)
    for mode, lines in shown.items():
        assert 5 <= len(lines) <= 14, f"{mode}: a transcript is short"
        assert any(QUESTION in line for line in lines), mode
        assert any("There are 3 Rs in strawberry." in line for line in lines), mode
    readme = README.read_text(encoding="utf-8")
    assert START in readme, f"README.md has no generated transcripts: add the markers and {START}"
    in_readme = readme[readme.index(START) : readme.index(END) + len(END)]
    assert in_readme == section(shown), "README.md is out of date: .venv/bin/python -m tests.transcripts --write"


def test_the_transcripts_stand_under_discord_and_slack() -> None:
    readme = README.read_text(encoding="utf-8")
    headings = [(m.start(), m.group()) for m in re.finditer(r"^#{2,3} .+$", readme, flags=re.MULTILINE)]
    before = [title for at, title in headings if at < readme.index(START)]
    assert before[-2:] == ["## Discord and Slack", "### What a user sees"]
