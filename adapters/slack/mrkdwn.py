"""Untrusted text to Slack ``mrkdwn`` and back. Pure functions, no Slack imports.

Slack reads ``<...>`` as a control sequence (``<!channel>``, ``<@U123>``, ``<https://x|label>``), so every ``&``,
``<`` and ``>`` in text we did not write is escaped first; only then is the model's Markdown turned into mrkdwn,
and the only control sequence we ever build is a link to an ``http(s)`` URL. A ``>`` that starts a line is kept
raw for a quote: without a ``<`` it cannot open a control sequence.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable

from adapters.chat.links import is_disguised

__all__ = ["escape", "from_slack", "to_mrkdwn"]

# Every pattern here runs in linear time: character classes that stop at the next delimiter, possessive runs, no
# nested quantifiers. Bold, strike, headings, rules and tables are read by scanning lines instead.
_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_CODE = re.compile(r"`[^`\n]+`")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://(?:[^\s()<>\[\]|]|\([^\s()<>\[\]|]*\))++)\)")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+", re.MULTILINE)
_QUOTE = re.compile(r"^&gt; ?", re.MULTILINE)
_SLACK_SEQUENCE = re.compile(r"<([^<>]*)>")
_HOLD = "\x00{}\x00"
_HELD = re.compile(r"\x00(\d+)\x00")
_RULE = "――――――"
_BLOCK_LINE = re.compile(r"^ {0,3}+[-*_#][^\n]*+", re.MULTILINE)  # a line that may be a rule or a heading
_ROW = re.compile(r"^ {0,3}+\|[^\n]*+", re.MULTILINE)  # a line that may be a table row


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so Slack shows ``text`` as written and nothing in it notifies anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    """The model's Markdown as escaped mrkdwn: bold, italics, strike, headings, lists, quotes, code, links;
    tables, which Slack cannot show, become code blocks so their columns stay aligned. A link whose text shows
    another address than its target becomes plain text, ``label (url)`` (see :mod:`adapters.chat.links`)."""
    held: list[str] = []
    markdown = markdown.replace("\x00", "")  # NUL marks our placeholders: the input must not be able to forge one

    def hold(piece: str) -> str:
        held.append(piece)
        return _HOLD.format(len(held) - 1)

    def link(match: re.Match[str]) -> str:
        label, url = match.group(1), match.group(2)
        if is_disguised(label, url):
            return f"{label} ({hold(escape(url))})"
        return hold(f"<{escape(url)}|{escape(label)}>")

    text = _FENCE.sub(lambda m: hold(_fence(m.group(0))), markdown)
    text = _tables(text, lambda table: hold(f"```{escape(table.strip())}```"))  # Slack has no tables
    text = _CODE.sub(lambda m: hold(escape(m.group(0))), text)
    text = _LINK.sub(link, text)
    text = escape(text)
    text = _BLOCK_LINE.sub(lambda m: _block_line(m.group(0), hold), text)
    text = _pairs(text, ("**", "__"), lambda inner: hold(f"*{inner}*"))
    text = _ITALIC.sub(r"_\1_", text)
    text = _pairs(text, ("~~",), lambda inner: f"~{inner}~")
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


def _indent(line: str) -> str | None:
    """``line`` without up to three leading spaces, or ``None`` when it is indented more."""
    body = line.lstrip(" ")
    return body if len(line) - len(body) <= 3 else None


def _block_line(line: str, hold: Callable[[str], str]) -> str:
    """A thematic break as a line, an ATX heading as held bold text, any other line as it is."""
    body = _indent(line)
    if body is None:
        return line
    compact = "".join(body.split())
    if len(compact) >= 3 and compact[0] in "-*_" and compact == compact[0] * len(compact):
        return _RULE
    hashes = len(body) - len(body.lstrip("#"))
    rest = body[hashes:]
    if not 1 <= hashes <= 6 or not rest[:1].isspace():
        return line
    title = rest.strip()
    bare = title.rstrip("#")
    if bare != title and bare and bare[-1].isspace():
        title = bare.rstrip()
    return hold(f"*{title.replace('**', '').replace('__', '')}*") if title else line


def _row(line: str, *, delimiter: bool = False) -> bool:
    body = _indent(line)
    if body is None:
        return False
    body = body.rstrip(" \t")
    if len(body) < 2 or body[0] != "|" or body[-1] != "|":
        return False
    return not delimiter or ("-" in body and not body.strip(" \t:|-\r\f\v"))


def _tables(text: str, make: Callable[[str], str]) -> str:
    """Each table (a header row, a delimiter row, any further rows) replaced by ``make(table)``."""
    out: list[str] = []
    done = 0
    run: list[re.Match[str]] = []
    for line in [*_ROW.finditer(text), None]:
        if line is not None and run and line.start() == run[-1].end() + 1:
            run.append(line)
            continue
        for first, last, table in _tables_in(run):
            out += [text[done : first.start()], make(table)]
            done = last.end()
        run = [] if line is None else [line]
    out.append(text[done:])
    return "".join(out)


def _tables_in(run: list[re.Match[str]]) -> list[tuple[re.Match[str], re.Match[str], str]]:
    """The tables in a run of consecutive row-like lines: first line, last line, text."""
    tables = []
    index = 0
    while index + 1 < len(run):
        if _row(run[index].group(0)) and _row(run[index + 1].group(0), delimiter=True):
            end = index + 2
            while end < len(run) and _row(run[end].group(0)):
                end += 1
            tables.append((run[index], run[end - 1], "\n".join(m.group(0) for m in run[index:end])))
            index = end
        else:
            index += 1
    return tables


def _pairs(text: str, delimiters: tuple[str, ...], make: Callable[[str], str]) -> str:
    """Each ``**inner**`` (for every delimiter given) replaced by ``make(inner)`` within a line: the nearest closer
    wins, the inner text neither starts nor ends with a space. Only lines holding a delimiter are read, once."""
    find = re.compile("|".join(map(re.escape, delimiters)))
    out: list[str] = []
    done = 0
    found = find.search(text)
    while found is not None:
        start = text.rfind("\n", 0, found.start()) + 1
        end = text.find("\n", found.start())
        end = len(text) if end < 0 else end
        out += [text[done:start], _pairs_in(text[start:end], delimiters, make)]
        done = end
        found = find.search(text, end)
    out.append(text[done:])
    return "".join(out)


def _pairs_in(line: str, delimiters: tuple[str, ...], make: Callable[[str], str]) -> str:
    if len(line) < 5:  # an opener, one character, a closer
        return line
    closers = {d: [k for k in _occurrences(line, d) if k > 0 and not line[k - 1].isspace()] for d in delimiters}
    starts = sorted(k for d in delimiters for k in _occurrences(line, d))
    out: list[str] = []
    done = 0
    for start in starts:
        if start < done:
            continue
        mark = line[start : start + 2]
        if start + 2 >= len(line) or line[start + 2].isspace():
            continue
        found = closers[mark]
        index = bisect.bisect_left(found, start + 3)
        if index == len(found):
            continue
        close = found[index]
        out += [line[done:start], make(line[start + 2 : close])]
        done = close + 2
    out.append(line[done:])
    return "".join(out)


def _occurrences(line: str, mark: str) -> list[int]:
    """Where ``mark`` starts in ``line``, overlaps included (``***`` holds ``**`` twice)."""
    found: list[int] = []
    at = line.find(mark)
    while at >= 0:
        found.append(at)
        at = line.find(mark, at + 1)
    return found


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
