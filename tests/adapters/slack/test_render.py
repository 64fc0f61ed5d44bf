"""Rendering within Slack's limits, checked with the fake Slack's own validator."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.slack import render
from adapters.slack.mrkdwn import escape
from adapters.slack.split import split_text
from adapters.slack.tags import Tag, parse_tag, tags_of
from core.events import ChainFailed, FinalAnswer, Step
from core.llm.types import Usage
from tests.adapters.chat.hostile import hostile
from tests.fakes.slack.validation import MAX_BLOCKS, SECTION_TEXT, MessageError, check_message


def step(index: int, content: str = "c", title: str = "t") -> Step:
    return Step(chain_id="abc", index=index, title=title, content=content, elapsed=1.25, usage=Usage())


def valid(message: render.Rendered) -> None:
    check_message(message.text, list(message.blocks))


def test_collapsed_steps_show_number_title_time_and_carry_tags() -> None:
    message = render.collapsed_steps("abc", [step(1, title="Look <!channel>"), step(2, title="Add\nup")])
    valid(message)
    assert [b["text"]["text"] for b in message.blocks] == [
        "*Step 1* · Look &lt;!channel&gt; · _1.2 s_",
        "*Step 2* · Add up · _1.2 s_",
    ]
    assert tags_of(message.blocks) == [Tag(kind="s", chain_id="abc", step=1), Tag(kind="s", chain_id="abc", step=2)]
    assert message.text == "Steps 1–2"
    with pytest.raises(ValueError, match="1 to 50"):
        render.collapsed_steps("abc", [step(i) for i in range(1, 52)])


def test_step_titles_drop_invisible_and_reordering_characters() -> None:
    message = render.collapsed_steps("abc", [step(1, title="a\u202eb\u200bc")])
    assert message.blocks[0]["text"]["text"] == "*Step 1* · abc · _1.2 s_"
    assert message.text == "Step 1: abc"


def test_long_expansions_continue_in_tagged_messages() -> None:
    long = "\n\n".join(f"Paragraph {i}: " + "word " * 150 for i in range(250))  # ~190k chars
    messages = render.expanded_steps("abc", [step(1, long), step(2, "short")], origin_ts="1.000100")
    assert len(messages) >= 2
    for message in messages:
        valid(message)
        assert len(message.blocks) <= MAX_BLOCKS
    assert {t.kind for t in tags_of(messages[0].blocks)} == {"s"}
    later = [t for m in messages[1:] for t in tags_of(m.blocks)]
    assert {(t.kind, t.origin) for t in later} == {("c", "1.000100")}
    text = "\n\n".join(b["text"]["text"] for m in messages for b in m.blocks)
    assert text.count("Paragraph ") == 250
    assert text.rstrip().endswith("short")


def test_answer_has_footer_and_splits_long_text() -> None:
    event = FinalAnswer(chain_id="abc", text="**yes** " * 1000, total_time=2.5, usage=Usage(3, 4), steps=2)
    [message] = render.answer(event, expand="mag")
    valid(message)
    assert message.blocks[0]["text"]["text"] == "*Answer*"
    assert message.blocks[-1]["elements"][0]["text"].startswith("2 steps · 2.5 s · 7 tokens")
    assert all(t == Tag(kind="a", chain_id="abc") for t in tags_of(message.blocks))
    huge = FinalAnswer(chain_id="abc", text="x " * 100_000, total_time=1, usage=Usage(), steps=1)
    parts = render.answer(huge, expand="mag")
    assert len(parts) == 17  # 200,000 characters at most 12,000 of block text per message
    for part in parts:
        valid(part)
    assert sum(b["text"]["text"].count("x") for p in parts for b in p.blocks if b["type"] == "section") == 100_000


def test_a_one_step_answer_says_one_step_and_how_to_expand() -> None:
    event = FinalAnswer(chain_id="abc", text="yes", total_time=2.5, usage=Usage(3, 4), steps=1)
    [message] = render.answer(event, expand="mag")
    assert message.blocks[-1]["elements"][0]["text"] == (
        "1 step · 2.5 s · 7 tokens · react :mag: here to expand every step, or on one step to expand it"
    )


def test_failure_and_refusal_texts() -> None:
    failed = ChainFailed(chain_id="abc", kind="deadline", message="Too slow <!here>.", steps=(step(1),))
    assert render.failure(failed, kept=1).text == ":warning: Too slow &lt;!here&gt;. The step above is kept."
    limited = ChainFailed(chain_id="a", kind="rate_limited", message="Slow <!here>. Please wait 61 s.", retry_after=61)
    assert render.refusal(limited) == ":hourglass: Slow &lt;!here&gt;. Please wait 61 s."
    assert render.refusal(ChainFailed(chain_id="a", kind="input", message="Empty.")) == ":warning: Empty."


def test_question_header_quotes_the_question_without_pinging() -> None:
    header = render.question_header("is <!channel> ok?\nsecond line", "U0ALICE", expand="mag")
    valid(header)
    assert header.blocks[0]["text"]["text"] == "<@U0ALICE> asked:\n>is &lt;!channel&gt; ok?\n>second line"
    valid(render.question_header("y" * 5000, "U0ALICE", expand="mag"))


PLAIN = st.text(alphabet=st.sampled_from(list("ab &<>\n")), max_size=120)
CODE = st.text(alphabet=st.sampled_from(list("ab &<>\n")), min_size=1, max_size=120)
SEGMENTS = st.lists(st.one_of(PLAIN, CODE.map(lambda code: f"```{code}```")), max_size=5)


@settings(max_examples=80, deadline=None)
@given(SEGMENTS, st.integers(min_value=16, max_value=60))
def test_split_keeps_every_character_and_fences_balanced(segments: list[str], limit: int) -> None:
    escaped = escape("".join(segments))
    pieces = split_text(escaped, limit)
    assert all(len(p) <= limit for p in pieces)
    assert all(p.count("```") % 2 == 0 for p in pieces)
    for piece in pieces:
        assert not piece.rstrip("`").endswith(("&", "&a", "&am", "&amp", "&l", "&lt", "&g", "&gt"))
    joined = "".join(p.replace("```", "") for p in pieces)
    assert joined.replace(" ", "").replace("\n", "") == escaped.replace("```", "").replace(" ", "").replace("\n", "")


def test_split_rejects_tiny_limits_and_fits_sections() -> None:
    with pytest.raises(ValueError, match="room"):
        split_text("x", 4)
    assert all(len(p) <= SECTION_TEXT for p in split_text("z" * 10_000, SECTION_TEXT))


def test_parse_tag_ignores_foreign_ids() -> None:
    assert parse_tag("tb:s:abc:x:0") is None
    assert parse_tag("other") is None
    assert parse_tag(None) is None
    assert parse_tag("tb:c:1.2:abc:3:1") == Tag(kind="c", chain_id="abc", step=3, origin="1.2")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def within_limits(message: render.Rendered) -> None:
    """Slack's limits, counted the strict way (UTF-16), and the fake Slack's own check."""
    valid(message)
    assert len(message.blocks) <= MAX_BLOCKS
    texts = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    texts += [e["text"] for b in message.blocks if b["type"] == "context" for e in b["elements"]]
    assert all(utf16(t) <= SECTION_TEXT for t in texts)
    assert sum(map(utf16, texts)) <= render.MESSAGE_TEXT


def everything(text: str) -> list[render.Rendered]:
    answer = FinalAnswer(chain_id="abc", text=text, total_time=2.5, usage=Usage(3, 4), steps=2)
    steps = [step(i, text[i:], title=text[i * 300 :]) for i in range(1, 3)]
    titled = [step(i, title=text[i * 50 :] or "&" * 400) for i in range(1, MAX_BLOCKS + 1)]
    failed = ChainFailed(chain_id="abc", kind="internal", message=text, steps=tuple(steps))
    return [
        *render.answer(answer, expand="mag"),
        *render.expanded_steps("abc", steps, origin_ts="1.000100"),
        render.collapsed_steps("abc", titled),
        render.question_header(text, "U0ALICE", expand="mag"),
        render.failure(failed, kept=2),
    ]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile(60_000))
@example("```\n```\n")  # an answer that is only markup: no text for the notification's fallback
def test_no_message_exceeds_slacks_limits_whatever_the_text(text: str) -> None:
    for message in everything(text):
        within_limits(message)


@pytest.mark.parametrize(
    "text",
    ["long words " * 20_000, "&" * 40_000, "😀" * 30_000, "<!channel>" * 5_000, "`" * 24_000],
    ids=["words", "ampersands", "emoji", "pings", "backticks"],
)
def test_long_hostile_text_stays_within_slacks_limits(text: str) -> None:
    # Issue 9: 50 sections of 3,000 characters in one message is refused with msg_blocks_too_long.
    for message in everything(text):
        within_limits(message)


def test_the_fake_refuses_blocks_holding_too_much_text() -> None:
    with pytest.raises(MessageError) as caught:
        check_message("x", [render.section("y" * SECTION_TEXT)] * 5)
    assert caught.value.error == "msg_blocks_too_long"
