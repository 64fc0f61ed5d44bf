import io
import json
import logging
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.logs import EventLog, Redactor, configure_logging, cut_payloads
from core.events import ChainStarted, FinalAnswer, Step
from core.llm.types import Usage


@pytest.fixture
def captured():
    stream = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    yield stream, lambda **kw: configure_logging(stream=stream, **kw)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in before[0]:
        root.addHandler(handler)
    root.setLevel(before[1])


def test_redactor_blanks_configured_secrets_and_token_shapes():
    redact = Redactor(["s3cret-value"])
    line = (
        "key=s3cret-value groq=gsk_abcdefghijklmnop slack=xoxb-1234-5678-abcdefgh app=xapp-1-A0-123-abc "
        "discord=MTAwMDAwMDAwMDAwMDAwMDAw.GabcDE.abcdefghijklmnopqrstuvwxyz0123 url=rediss://default:pw123@host:6379"
    )
    out = redact(line)
    for secret in ("s3cret-value", "gsk_abc", "xoxb-1234", "xapp-1", "MTAwMDAw", "pw123"):
        assert secret not in out
    assert "rediss://[redacted]@host:6379" in out
    assert redact("chain 1f2e3d4c5b6a7988 step 3") == "chain 1f2e3d4c5b6a7988 step 3"


def test_json_lines_carry_chain_ids_and_never_the_question(captured):
    stream, configure = captured
    configure(level="INFO", fmt="json", secrets=["tok-12345"])
    events = EventLog()
    usage = Usage(prompt_tokens=10, completion_tokens=5)
    question = "my private question about tok-12345"
    events.observe(ChainStarted(chain_id="abc123", question=question, strategy="g1", model="m"))
    events.observe(Step(chain_id="abc123", index=1, title="t", content="secret step text", elapsed=0.5, usage=usage))
    events.observe(FinalAnswer(chain_id="abc123", text="the answer", total_time=1.0, usage=usage, steps=1))
    logging.getLogger("somewhere").warning("token tok-12345 leaked?", exc_info=ValueError("tok-12345"))
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line.get("event") for line in lines] == ["ChainStarted", "Step", "FinalAnswer", None]
    assert {line.get("chain_id") for line in lines[:3]} == {"abc123"}
    assert lines[3]["level"] == "WARNING"
    assert "[redacted]" in lines[3]["message"]
    text = stream.getvalue()
    for hidden in ("private question", "secret step text", "the answer", "tok-12345"):
        assert hidden not in text


def test_text_format_is_one_line_per_record_and_debug_shows_a_short_excerpt(captured):
    stream, configure = captured
    configure(level="DEBUG", fmt="text")
    EventLog().observe(ChainStarted(chain_id="c1", question="q" * 100 + "\nsecond line", strategy="g1", model="m"))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert "q" * 40 in lines[1]
    assert "q" * 41 not in lines[1]
    assert logging.getLogger("discord.http").getEffectiveLevel() == logging.INFO


def test_library_debug_lines_are_dropped_even_when_a_library_resets_its_level(captured):
    stream, configure = captured
    configure(level="DEBUG", fmt="text")
    bolt = logging.getLogger("slack_bolt.AsyncApp")
    bolt.setLevel(logging.DEBUG)  # what bolt does to its loggers, from the root's level, whenever it builds one
    bolt.debug("envelope %s", {"event": {"text": "a user's private words"}})
    logging.getLogger("groq._base_client").debug("Request options: %s", {"json_data": {"messages": ["prompt"]}})
    logging.getLogger("core.somewhere").debug("our own debug line")
    text = stream.getvalue()
    assert "private words" not in text
    assert "Request options" not in text
    assert "our own debug line" in text


def test_library_lines_lose_their_payloads_but_keep_their_words(captured):
    stream, configure = captured
    configure(level="INFO", fmt="text")
    body = {"type": "event_callback", "event": {"text": "a user's private words that go on and on"}}
    logging.getLogger("slack_bolt.AsyncApp").warning("A global middleware skipped next() for (%s)", body)
    logging.getLogger("discord.client").info("logging in using static token")
    text = stream.getvalue()
    assert "private words" not in text
    assert "A global middleware skipped next() for (…)" in text
    assert "logging in using static token" in text


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="{}[]()ab \n", max_size=2000) | st.builds(lambda n: "{" * n + "}" * n, st.integers(0, 50_000)))
def test_cut_payloads_is_linear_and_bounded(text: str):
    started = time.perf_counter()
    cut = cut_payloads(text)
    assert time.perf_counter() - started < 0.5
    assert len(cut) <= 500
    if "{" not in text and "[" not in text and "(" not in text and len(text) <= 500:
        assert cut == text
