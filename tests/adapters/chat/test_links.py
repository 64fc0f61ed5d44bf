"""Disguised links: the judge, the Markdown rewriter, and that no link survives whose text shows another address.

The oracle reads links the way Discord's Markdown (simple-markdown) and CommonMark match them, at every ``[``
that is not code or escaped, and on texts joined or split the way the adapters post them.
"""

from __future__ import annotations

import itertools
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.chat.links import hosts_in, is_disguised, safe_markdown
from adapters.chat.markdown_links import live_brackets, read_code
from adapters.discord.split import split_text
from tests.adapters.chat.hostile import hostile

SIMPLE_MARKDOWN = re.compile(
    r"\[((?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*)\]"
    r"\(\s*<?((?:\([^)]*\)|[^\s\\]|\\.)*?)>?(?:\s+['\"]([\s\S]*?)['\"])?\s*\)"
)
COMMONMARK = re.compile(r"\[([^\[\]]*)\]\(\s*<?([^\s<>)]*)>?(?:\s+\"[^\"]*\")?\s*\)")


def shown_links(text: str) -> list[tuple[str, str]]:
    """Every (label, url) a reader could be shown as a link in ``text``."""
    links = []
    for kind, at in live_brackets(text, read_code(text)):
        if kind != "[":
            continue
        for pattern in (SIMPLE_MARKDOWN, COMMONMARK):
            match = pattern.match(text, at)
            if match is not None:
                links.append((match.group(1), match.group(2)))
    return links


def no_disguise(text: str) -> None:
    for label, url in shown_links(text):
        assert not is_disguised(label, url), (label, url)


@pytest.mark.parametrize(
    ("label", "url", "disguised"),
    [
        ("https://bank.example", "http://evil.example/phish", True),
        ("bank.example", "http://evil.example", True),
        ("Log in at bank.example now", "http://evil.example", True),
        ("**https://bank.example**", "http://evil.example", True),
        ("bank\u200b.example", "http://evil.example", True),
        ("bank。example", "http://evil.example", True),
        ("https://bank.example@evil.example", "https://evil.example", True),
        ("раураl.com", "https://paypal.com", True),
        ("https://x.example", "", True),
        ("docs", "https://x.example", False),
        ("https://x.example/a", "https://x.example/a", False),
        ("x.example", "https://www.x.example/b", False),
        ("HTTPS://X.EXAMPLE", "https://x.example/", False),
        ("bücher.example", "https://xn--bcher-kva.example", False),
        ("version 1.2.3", "https://x.example", False),
    ],
)
def test_the_judge(label: str, url: str, disguised: bool) -> None:
    assert is_disguised(label, url) is disguised


def test_hosts_are_read_from_urls_and_bare_domains_but_not_paths() -> None:
    assert hosts_in("see https://a.example/x.py, b.example and notes v1.2") == {"a.example", "b.example"}


@pytest.mark.parametrize(
    ("markdown", "safe"),
    [
        ("[https://bank.example](http://evil.example/phish)", "https://bank.example (http://evil.example/phish)"),
        ("[https://bank.example](<http://evil.example>)", "https://bank.example (<http://evil.example>)"),
        ('[https://bank.example](http://evil.example "Bank")', 'https://bank.example (http://evil.example "Bank")'),
        ("[docs](https://x.example)", "[docs](https://x.example)"),
        ("[https://x.example/a](https://x.example/a)", "[https://x.example/a](https://x.example/a)"),
        ("[a.example](https://a.example) [b.example](https://b.example)", None),
        ("[https://bank.example]x](http://evil)", "[https://bank.example]x] (http://evil)"),
        ("[a [https://bank.example](http://evil) b](https://ok.example)", None),
        ("open [ bracket", "open \\[ bracket"),
        ("stray](http://evil)", "stray] (http://evil)"),
        ("use `[https://bank.example](http://evil)` in code", None),
        ("```\n[https://bank.example](http://evil)\n```", None),
        ("escaped \\[https://bank.example](http://evil)", "escaped \\[https://bank.example] (http://evil)"),
    ],
)
def test_safe_markdown(markdown: str, safe: str | None) -> None:
    out = safe_markdown(markdown)
    if safe is not None:
        assert out == safe
    elif "bank" in markdown and "ok.example" in markdown:
        assert out == "a [https://bank.example] (http://evil) b (https://ok.example)"
    else:
        assert out == markdown
    no_disguise(out)


SYNTAX = ["[", "]", "(", ")", "](", " ", "\n", "`", "```\n", "\\", "x", "<", ">", '"', "docs"]
ADDRESSES = ["https://bank.example", "http://evil.example", "bank.example"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SYNTAX + ADDRESSES), max_size=30))
def test_no_disguised_link_survives_nor_forms_across_a_seam(parts: list[str]) -> None:
    text = "".join(parts)
    safe = safe_markdown(text)
    no_disguise(safe)
    for other in (safe, safe_markdown(text[::-1])):
        no_disguise(safe + "\n" + other)
        no_disguise(other + "\n\n" + safe)
    assert safe_markdown(safe) == safe


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["[", "](", ")", " ", "\n", "x", "[a](b)", *ADDRESSES]), max_size=300))
def test_pieces_of_a_split_message_carry_no_disguise_alone_or_joined(parts: list[str]) -> None:
    pieces = split_text("".join(parts), limit=128)
    for first, second in itertools.pairwise(pieces):
        no_disguise(first)
        no_disguise(first + "\n" + second)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile())
def test_rewriting_is_linear_and_keeps_every_other_character(text: str) -> None:
    start = time.perf_counter()
    out = safe_markdown(text)
    assert time.perf_counter() - start < 1.0
    assert visible(out) == visible(text)


def visible(text: str) -> str:
    """Non-whitespace characters, brackets, backslashes and fence characters aside (the rewriter may drop or
    add those)."""
    return "".join(c for c in "".join(text.split()) if c not in "[]\\`~")
