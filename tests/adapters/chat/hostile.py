"""Hostile text for parsers, converters and splitters: fences of every length, backtick and tilde runs, entities,
lines without spaces, CRLF, emoji and other astral characters, combining marks, link syntax, up to 200 KB."""

from __future__ import annotations

from hypothesis import strategies as st

ATOMS = [
    "```", "```python", "```\n", "\n```\n", "~~~", "~~~~", "~" * 100, "`", "``", "````", "`" * 7,
    "&amp;", "&lt;", "&", "<", ">", "<!channel>", "<@U1>", "@everyone",
    "**", "__", "~~", "*", "_", "# ", "### ", "- ", "* ", "> ", "|", "| a | b |", "|---|---|", "---",
    "[", "]", "(", ")", "](", "[docs](https://x.example)", "[https://bank.example](http://evil.example/phish)",
    "https://bank.example", "http://evil.example/p?a=1&b=2", "bank.example", "\\",
    "\n", "\n\n", "\r\n", " ", "\t", "\u00a0",
    "😀", "👍🏽", "👨\u200d👩\u200d👧", "e\u0301", "\u200d", "\ufe0f", "\U0001d54f", "\u202e", "中文",
    "word", "lorem ipsum", "x",
]  # fmt: skip
RUN_CHARS = "x`~ \n*_#&[]()-|<>😀\u0301"


def _run(pair: tuple[str, int]) -> str:
    return pair[0] * pair[1]


SEGMENT = st.one_of(
    st.sampled_from(ATOMS),
    st.text(max_size=12),
    st.tuples(st.sampled_from(RUN_CHARS), st.integers(1, 6000)).map(_run),
)


def hostile(max_size: int = 200_000) -> st.SearchStrategy[str]:
    """Text made of hostile segments, repeated to reach up to ``max_size`` characters."""

    def build(parts: tuple[list[str], int, list[str]]) -> str:
        body, times, tail = parts
        return ("".join(body) * times + "".join(tail))[:max_size]

    return st.tuples(
        st.lists(SEGMENT, min_size=1, max_size=24), st.integers(1, 3000), st.lists(SEGMENT, max_size=8)
    ).map(build)


def small(max_size: int = 400) -> st.SearchStrategy[str]:
    """Short hostile text, for checks that are slow per character."""
    return st.lists(st.sampled_from(ATOMS), max_size=40).map(lambda parts: "".join(parts)[:max_size])
