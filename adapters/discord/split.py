"""Discord messages: at most 2,000 characters (Discord counts code points), ``` and ~~~ fences re-closed at a cut,
and no masked link left open at either end of a message (see :func:`adapters.chat.links.safe_markdown`)."""

from __future__ import annotations

from adapters.chat import split
from adapters.chat.links import safe_markdown

__all__ = ["MESSAGE_LIMIT", "split_text"]

MESSAGE_LIMIT = 2000
MIN_LIMIT = 128


def split_text(text: str, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` as messages of at most ``limit`` characters, in order, none of them blank (see
    :mod:`adapters.chat.split`)."""
    rules = split.Rules(limit=limit, fences="line", min_limit=MIN_LIMIT, finish=safe_markdown)
    return split.split_text(text, rules)
