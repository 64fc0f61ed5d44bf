"""Untrusted text to Slack ``mrkdwn`` and back. Pure functions, no Slack imports.

Slack reads ``<...>`` as a control sequence (``<!channel>``, ``<@U123>``, ``<https://x|label>``), so every ``&``,
``<`` and ``>`` in text we did not write is escaped first; only then is the model's Markdown turned into mrkdwn,
and the only control sequence we ever build is a link to an ``http(s)`` URL. A ``>`` that starts a line is kept
raw for a quote: without a ``<`` it cannot open a control sequence.
"""

from __future__ import annotations

import html
import re

__all__ = ["escape", "from_slack", "to_mrkdwn"]

_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_CODE = re.compile(r"`[^`\n]+`")
_TABLE = re.compile(r"^ {0,3}\|.*\|[ \t]*\n {0,3}\|[\s:|-]*-[\s:|-]*\|[ \t]*(?:\n {0,3}\|.*\|[ \t]*)*$", re.MULTILINE)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)|]+)\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)
_QUOTE = re.compile(r"^&gt; ?", re.MULTILINE)
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$", re.MULTILINE)
_SLACK_SEQUENCE = re.compile(r"<([^<>]*)>")
_HOLD = "\x00{}\x00"
_HELD = re.compile(r"\x00(\d+)\x00")


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so Slack shows ``text`` as written and nothing in it notifies anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    """The model's Markdown as escaped mrkdwn: bold, italics, strike, headings, lists, quotes, code, links;
    tables, which Slack cannot show, become code blocks so their columns stay aligned."""
    held: list[str] = []
    markdown = markdown.replace("\x00", "")  # NUL marks our placeholders: the input must not be able to forge one

    def hold(piece: str) -> str:
        held.append(piece)
        return _HOLD.format(len(held) - 1)

    text = _FENCE.sub(lambda m: hold(_fence(m.group(0))), markdown)
    text = _TABLE.sub(lambda m: hold(f"```{escape(m.group(0).strip())}```"), text)  # Slack has no tables
    text = _CODE.sub(lambda m: hold(escape(m.group(0))), text)
    text = _LINK.sub(lambda m: hold(f"<{escape(m.group(2))}|{escape(m.group(1))}>"), text)
    text = escape(text)
    text = _RULE.sub("――――――", text)
    text = _HEADING.sub(lambda m: hold(f"*{m.group(1).replace('**', '').replace('__', '')}*"), text)
    text = _BOLD.sub(lambda m: hold(f"*{m.group(2)}*"), text)
    text = _ITALIC.sub(r"_\1_", text)
    text = _STRIKE.sub(r"~\1~", text)
    text = _BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    text = _QUOTE.sub("> ", text)
    while _HELD.search(text):
        text = _HELD.sub(lambda m: held[int(m.group(1))], text)
    return text


def _fence(block: str) -> str:
    """A fenced code block keeps its body (escaped) and drops the language tag, which Slack would show."""
    body = block[3:-3] if block.endswith("```") and len(block) >= 6 else block[3:]
    first, newline, rest = body.partition("\n")
    if newline and re.fullmatch(r"[\w+#.-]*", first.strip()):
        body = rest
    body = body.strip("\n")
    return f"```{escape(body)}```" if body.strip() else ""


def from_slack(text: str) -> str:
    """What a person typed, from Slack's encoded message text: ``<@U1>`` becomes ``@U1``, ``<#C1|general>``
    ``#general``, ``<!here>`` ``@here``, ``<https://x|x>`` the URL or label; entities are decoded."""

    def plain(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        target = target.removeprefix("mailto:")
        return target if not label or label in target else f"{label} ({target})"

    return html.unescape(_SLACK_SEQUENCE.sub(plain, text))
