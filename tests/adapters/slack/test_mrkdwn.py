"""Escaping and Markdown to mrkdwn: nothing the model or a user writes can notify anyone or break a message."""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.mrkdwn import escape, from_slack, to_mrkdwn
from tests.adapters.chat.hostile import hostile

CONTROL = re.compile(r"<(?!https?://)")  # the only control sequence we may emit is an http(s) link


def test_escape_disarms_special_mentions() -> None:
    assert escape("<!channel> & <@U123> <!here>") == "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;!here&gt;"


@pytest.mark.parametrize(
    ("markdown", "mrkdwn"),
    [
        ("**bold** and __also__", "*bold* and *also*"),
        ("*italic* and _too_", "_italic_ and _too_"),
        ("~~gone~~", "~gone~"),
        ("# Title\n## Sub **x**", "*Title*\n*Sub x*"),
        ("# Title ##\n\nText", "*Title*\n\nText"),
        ("- one\n* two\n  + three", "• one\n• two\n  • three"),
        ("> quoted <b>", "> quoted &lt;b&gt;"),
        ("see [docs](https://example.com/a?b=1&c=2)", "see <https://example.com/a?b=1&amp;c=2|docs>"),
        ("[bad](javascript:alert) [x](!channel)", "[bad](javascript:alert) [x](!channel)"),
        ("`a **b** <c>`", "`a **b** &lt;c&gt;`"),
        ("```python\nif a < b:\n    **x**\n```", "```if a &lt; b:\n    **x**```"),
        ("2 * 3 * 4 = 24", "2 * 3 * 4 = 24"),
        ("---", "――――――"),
        ("| a | b<c |\n|---|:-:|\n| **1** | 2 |\nafter", "```| a | b&lt;c |\n|---|:-:|\n| **1** | 2 |```\nafter"),
        ("| not | a table |", "| not | a table |"),
    ],
)
def test_markdown_becomes_mrkdwn(markdown: str, mrkdwn: str) -> None:
    assert to_mrkdwn(markdown) == mrkdwn


def test_model_output_cannot_ping() -> None:
    text = to_mrkdwn("Hey <!channel>, ask <@U0BOB> in <#C0GENERAL|general> or <!subteam^S1> **now** [x](<!here>)")
    assert not CONTROL.search(text)
    assert "&lt;!channel&gt;" in text
    assert "&lt;@U0BOB&gt;" in text


@given(st.text(alphabet=st.sampled_from(list("<>&!@#*_~`[]()|:/ \nhtps.abcUC^-\x0001")), max_size=80))
def test_no_input_yields_a_control_sequence_other_than_a_link(text: str) -> None:
    out = to_mrkdwn(text)
    assert not CONTROL.search(out)
    for link in re.findall(r"<([^>]*)>", out):
        assert re.fullmatch(r"https?://[^\s|<>]+\|[^<>]+", link), link


@pytest.mark.timeout(5)
def test_text_shaped_like_a_placeholder_stays_text() -> None:
    # NUL-number-NUL is how to_mrkdwn holds finished pieces; model output containing it once crashed or looped.
    assert to_mrkdwn("a \x005\x00 b") == "a 5 b"
    assert to_mrkdwn("`\x000\x00` and [x](https://x.io) <!channel>") == "`0` and <https://x.io|x> &lt;!channel&gt;"


def test_from_slack_reads_what_the_person_typed() -> None:
    typed = (
        "<@U0THINKBOT> is 2 &lt; 3 &amp;&amp; <#C1|general> <!here> "
        "<https://x.io/a|x.io> <https://y.io|see this> <mailto:a@b.c|a@b.c>"
    )
    assert from_slack(typed) == "@U0THINKBOT is 2 < 3 && #general @here https://x.io/a see this (https://y.io) a@b.c"
    assert from_slack("<https://x.io>") == "https://x.io"
    assert from_slack("&amp;lt;") == "&lt;"


@pytest.mark.parametrize(
    "text",
    [
        "**a " * 16_000,  # issue 9, finding 2: 9.8 s
        "~~a " * 16_000,
        "__a " * 16_000,
        "# a" + " " * 64_000 + "b",
        "\n" * 64_000 + "x",
        "-\n" * 32_000,
        "|-|\n" * 16_000,
        "| a |\n" + "|-|-" * 16_000,
        "[a](http://" * 6_000,
        "[" * 64_000,
    ],
    ids=["bold", "strike", "underscores", "heading", "newlines", "rules", "tables", "table row", "links", "brackets"],
)
def test_pathological_markdown_converts_in_linear_time(text: str) -> None:
    start = time.perf_counter()
    to_mrkdwn(text)
    assert time.perf_counter() - start < 1.0


def test_a_disguised_link_becomes_plain_text() -> None:
    # Issue 9, finding 4: this became <http://evil.example/phish|https://bank.example>.
    out = to_mrkdwn("[https://bank.example](http://evil.example/phish) or [docs](https://x.example)")
    assert out == "https://bank.example (http://evil.example/phish) or <https://x.example|docs>"
    assert to_mrkdwn("[https://x.example/a](https://x.example/a)") == "<https://x.example/a|https://x.example/a>"


ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def words(text: str) -> Counter[str]:
    return Counter(c for c in text if c.isalnum())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile())
def test_hostile_markdown_converts_fast_safely_and_keeps_its_words(text: str) -> None:
    start = time.perf_counter()
    out = to_mrkdwn(text)
    assert time.perf_counter() - start < 1.0
    assert not CONTROL.search(out)
    assert not ENTITY.search(out)
    for link in re.findall(r"<([^>]*)>", out):
        assert re.fullmatch(r"https?://[^\s|<>]+\|[^<>]+", link), link
    tagless = re.sub(r"```[\w+#.-]*\n", "```\n", text.replace("\x00", ""))  # a fence's language tag is dropped
    assert not words(tagless) - words(out)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile())
def test_slack_text_is_read_in_linear_time(text: str) -> None:
    start = time.perf_counter()
    from_slack(text)
    assert time.perf_counter() - start < 1.0
