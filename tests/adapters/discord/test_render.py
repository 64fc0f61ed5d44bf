"""Message text: collapsed and expanded steps, header states, refusals, and text that cannot ping."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import discord
from hypothesis import HealthCheck, given, settings

from adapters.discord.invite import invite_url
from adapters.discord.render import (
    ZWSP,
    answer_text,
    defang,
    failure_text,
    header_done,
    header_failed,
    header_text,
    refusal_text,
    step_text,
    steps_text,
    thread_name,
)
from adapters.discord.split import split_text
from core.events import ChainFailed, FinalAnswer, Step
from core.llm.types import Usage
from tests.adapters.chat.hostile import hostile
from tests.fakes.discord.validation import check_message


def step(index: int = 3, title: str = "Count the letters", content: str = "s-t-r-a-w...") -> Step:
    return Step(chain_id="c", index=index, title=title, content=content, elapsed=1.234, usage=Usage())


def test_collapsed_step_shows_number_title_and_time_only() -> None:
    assert step_text(step(), expanded=False) == "**3. Count the letters** · 1.2 s"
    assert step_text(step(), expanded=True) == "**3. Count the letters** · 1.2 s\ns-t-r-a-w..."
    assert step_text(step(title="a\nb  c"), expanded=False).startswith("**3. a b c**")


def test_defang_disarms_mass_pings_and_mention_syntax() -> None:
    text = defang("hi @everyone and @here, <@123>, <@!456> and <@&789>; mail me at a@b.c")
    assert "@everyone" not in text
    assert "@here" not in text
    assert f"@{ZWSP}everyone" in text
    assert f"<@{ZWSP}123>" in text
    assert f"<@{ZWSP}&789>" in text
    assert "a@b.c" in text
    assert "@everyone" not in step_text(step(title="@everyone look", content="@here <@&1>"), expanded=True)


def test_header_names_the_asker_and_later_the_short_answer() -> None:
    assert header_text("2+2?", asker_id=42) == "🤔 **2+2?**\n-# asked by <@42> · thinking…"
    answer = FinalAnswer(chain_id="c", text="Four. " * 100, total_time=3.21, usage=Usage(), steps=4)
    done = header_done("2+2?", asker_id=42, answer=answer, expand_emoji="🔍", expandable=True)
    assert "**Answer:** Four." in done
    assert "4 steps in 3.2 s" in done
    assert "react 🔍" in done
    assert len(done) < 600
    assert "react" not in header_done("2+2?", asker_id=42, answer=answer, expand_emoji="🔍", expandable=False)


def test_answer_failure_and_refusal_texts() -> None:
    answer = FinalAnswer(chain_id="c", text="It is @everyone's answer", total_time=1, usage=Usage(), steps=1)
    assert answer_text(answer) == f"✅ **Answer**\nIt is @{ZWSP}everyone's answer"
    failed = ChainFailed(chain_id="c", kind="llm_server", message="Groq failed.", steps=(step(1), step(2)))
    assert failure_text(failed, kept=2) == "⚠️ **The chain stopped:** Groq failed.\n-# The 2 steps above are kept."
    limited = ChainFailed(
        chain_id="c", kind="rate_limited", message="Slow down. Please try again in 42 s.", retry_after=42.4
    )
    assert refusal_text(limited) == "⚠️ Slow down. Please try again in 42 s."
    over = ChainFailed(chain_id="c", kind="over_budget", message="Budget spent, @everyone.", retry_after=5 * 3600)
    assert refusal_text(over) == f"⚠️ Budget spent, @{ZWSP}everyone."


def test_thread_name_is_one_line_of_at_most_100_chars() -> None:
    assert thread_name("  What is\n\n2+2?  ") == "What is 2+2?"
    assert len(thread_name("x" * 300)) == 100
    assert thread_name(" \n ") == "Thinking"


def test_invite_url_has_exactly_the_scopes_and_permissions() -> None:
    url = invite_url(1234)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.netloc, parts.path) == ("discord.com", "/oauth2/authorize")
    assert query["client_id"] == ["1234"]
    assert query["scope"] == ["bot applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    expected = {
        "read_messages",  # discord.py's name for View Channel
        "send_messages",
        "send_messages_in_threads",
        "create_public_threads",
        "add_reactions",
        "read_message_history",
        "attach_files",  # what does not fit under the thread cap comes as a file
    }
    assert {name for name, value in granted if value} == expected
    bits = (10, 11, 38, 35, 6, 16, 15)
    assert int(query["permissions"][0]) == sum(1 << bit for bit in bits) == 309237746752


def test_a_disguised_link_from_the_model_is_posted_as_plain_text() -> None:
    # Issue 9, finding 4: this was posted as is, a link showing bank.example that leads to evil.example.
    text = "Pay at [https://bank.example](http://evil.example/phish) or read [docs](https://x.example)."
    answer = FinalAnswer(chain_id="c", text=text, total_time=1, usage=Usage(), steps=1)
    expected = "Pay at https://bank.example (http://evil.example/phish) or read [docs](https://x.example)."
    assert answer_text(answer) == "✅ **Answer**\n" + expected
    assert step_text(step(content=text), expanded=True).endswith(expected)
    assert expected in header_done("q", asker_id=1, answer=answer, expand_emoji="🔍", expandable=False)
    assert step_text(step(title="[bank.example](http://evil.example)"), expanded=False).startswith(
        "**3. bank.example (http://evil.example)**"
    )


def test_a_link_cannot_be_formed_across_two_steps_posted_together() -> None:
    first = step_text(step(1, title="see [https://bank.example"), expanded=False)
    second = step_text(step(2, title="x](http://evil.example)"), expanded=False)
    assert "\\[" in first
    assert "] (" in second


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile(20_000))
def test_every_message_the_renderer_posts_fits_discord(text: str) -> None:
    answer = FinalAnswer(chain_id="c", text=text, total_time=1, usage=Usage(), steps=2)
    failed = ChainFailed(chain_id="c", kind="internal", message=text, steps=(step(1),))
    steps = [step(1, content=text, title=text), step(2, content=text[::-1])]
    texts = [answer_text(answer), steps_text(steps, expanded=True), steps_text(steps, expanded=False)]
    texts += [failure_text(failed, kept=1), step_text(steps[0], expanded=True)]
    for message in (part for t in texts for part in split_text(t)):
        check_message({"content": message})
    check_message({"content": header_done(text, asker_id=1, answer=answer, expand_emoji="🔍", expandable=True)})
    check_message({"content": header_text(text, asker_id=1)})
    check_message({"content": header_failed(text, asker_id=1, failed=failed)})


def test_titles_and_thread_names_drop_invisible_and_reordering_characters() -> None:
    # Issue 9, finding 9: U+202E and zero-width characters were kept in the thread name and header.
    assert thread_name("invoice\u202egpj.exe\u200b please") == "invoicegpj.exe please"
    assert thread_name("\u200b\u200d\u2060") == "Thinking"
    assert step_text(step(title="a\u202eb\u200bc"), expanded=False).startswith("**3. abc**")
    assert "\u202e" not in header_text("why\u202e?", asker_id=1)
