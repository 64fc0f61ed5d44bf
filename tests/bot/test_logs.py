"""What a deployed bot logs at INFO: its own chain events, no line per LLM request, no voice notices at start."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator

import pytest

from bot.logs import EventLog, configure_logging
from core.request import ThinkRequest
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service

_LIBRARIES = ("httpx", "httpcore", "discord", "groq")


@pytest.fixture
def info_log() -> Iterator[io.StringIO]:
    """Logging configured as ``thinkbot run`` does at INFO, into a string; everything put back afterwards."""
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in _LIBRARIES}
    handler = configure_logging(level="INFO", fmt="text", stream=stream)
    yield stream
    root.removeHandler(handler)
    for kept in handlers:
        if kept not in root.handlers:
            root.addHandler(kept)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


async def test_a_chain_at_info_logs_its_events_and_no_request_lines(info_log: io.StringIO, fake_groq: FakeGroq):
    fake_groq.reply("There are 3 Rs.")
    async with running_service(groq=fake_groq, strategy="bare") as services:
        events = [event async for event in services.service.think(ThinkRequest(question="How many Rs?"))]
    for event in events:  # as `thinkbot run` observes them
        EventLog().observe(event)
    assert type(events[-1]).__name__ == "FinalAnswer"
    assert len(fake_groq.chat_requests) == 1
    lines = info_log.getvalue().splitlines()
    assert [line.split(": ", 1)[1].split(" ")[2] for line in lines if " core.state." not in line] == [
        "started:",
        "answered:",
    ], lines
    assert not [line for line in lines if "HTTP Request" in line or " httpx" in line or " httpcore" in line]


def test_no_voice_notices_at_start_but_other_discord_warnings_stay():
    """discord.py warns once per process when a client is built; a fresh interpreter sees it as the bot does."""
    script = (
        "import logging, discord\n"
        "from bot.logs import EventLog, configure_logging\n"
        "configure_logging(level='INFO', fmt='text')\n"
        "discord.Client(intents=discord.Intents.none())\n"
        "logging.getLogger('discord.client').warning('another discord warning')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert "voice" not in done.stderr
    assert "PyNaCl" not in done.stderr
    assert "davey" not in done.stderr
    assert "WARNING discord.client: another discord warning" in done.stderr


def test_no_unused_token_warning_from_bolt_at_start():
    """bolt reads SLACK_BOT_TOKEN itself and warns that the client given wins; the bot gives both by design."""
    script = (
        "import logging, os\n"
        "from slack_bolt.async_app import AsyncApp\n"
        "from slack_sdk.web.async_client import AsyncWebClient\n"
        "from bot.logs import configure_logging\n"
        "configure_logging(level='INFO', fmt='text')\n"
        "os.environ['SLACK_BOT_TOKEN'] = 'xoxb-1-test'\n"
        "AsyncApp(client=AsyncWebClient(token='xoxb-1-test'), signing_secret='s')\n"
        "logging.getLogger('slack_bolt.AsyncApp').warning('another bolt warning')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert "will be unused" not in done.stderr
    assert "another bolt warning" in done.stderr
