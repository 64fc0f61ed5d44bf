"""Links whose visible text names another address than their target: one judge for every chat platform.

Rule: a URL or domain may be shown, but a link whose text shows a URL or domain other than where it goes (say
``[https://bank.example](http://evil.example/phish)``) is posted as plain text, ``label (url)``. Honest links stay:
``[docs](https://x.example)``, ``[https://x.example/a](https://x.example/a)``, ``[x.example](https://x.example/b)``.

:func:`is_disguised` judges one label and target (Slack builds its links one by one). :func:`safe_markdown` rewrites
Markdown for a platform that renders masked links itself (Discord), in one linear pass that also leaves no
bracket or ``](`` open, so text joined or split later cannot form a new link across the seam.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urlsplit

from adapters.chat.markdown_links import Edit, apply_edits, live_brackets, read_code, target_after
from core.text import one_line

__all__ = ["hosts_in", "is_disguised", "safe_markdown"]

# An address, as a reader would take one: a URL with a scheme, or a bare domain (labels joined by dots, ending in
# a top-level label of two or more letters). Possessive runs and look-behinds keep the scan linear.
_ADDRESS = re.compile(
    r"(?P<url>(?<![\w+.-])[a-z][a-z0-9+.-]*+://[^\s<>\[\]()\"'`]*+)"
    r"|(?P<domain>(?<![\w.-])[\w-]++(?:\.[\w-]++)++)"
)
_DOMAIN = re.compile(r"(?<![\w.-])[\w-]++(?:\.[\w-]++)++")
_HIDDEN = dict.fromkeys(map(ord, "*_~|`\\"), None)  # markup a platform does not show
# Where a label Discord's pattern (simple-markdown) may have opened can be, as bits: in its text, inside a
# [group] in its text, or past a ] that did not end it (then only more ] may follow until the label ends).
_CONTENT, _GROUP, _STRAYS = 1, 2, 4
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})  # dots browsers read as dots in host names


def hosts_in(text: str) -> set[str]:
    """The host of every address ``text`` shows (normalised: lower case, IDNA, no ``www.``)."""
    hosts: set[str] = set()
    if text.isascii() and "." not in text and ":" not in text:
        return hosts
    for match in _ADDRESS.finditer(_visible(text)):
        if match.group("url") is not None:
            hosts |= _url_hosts(match.group("url"))
        else:
            host = _domain(match.group("domain"))
            if host is not None:
                hosts.add(host)
    return hosts


def is_disguised(label: str, url: str) -> bool:
    """Whether a link showing ``label`` and going to ``url`` shows an address other than ``url``'s."""
    return not _honest(hosts_in(label), url)


def _honest(hosts: set[str], url: str) -> bool:
    if not hosts:
        return True
    target = _url_host(url)
    return target is not None and hosts == {target}


def safe_markdown(text: str) -> str:
    """``text`` with every masked link ``[label](url)`` whose label shows another address rewritten as plain text,
    and no link syntax left open at either end. Linear time; code blocks and code spans are left as they are.

    Labels are read generously: a link's label is taken to start at the outermost ``[`` still open where it
    closes, so nested or odd brackets cannot hide an address from the judge. So that no link can form across
    the seam with a neighbouring text: a ``[`` never closed and a backtick that opens no code span get a
    backslash (Discord shows ``\\[`` as ``[``); a ``](`` with no ``[`` before it gets a space, as does one
    whose label cannot be told apart from the text around it; a code block still open at the end is closed.
    """
    edits: list[Edit] = []
    stack: list[int] = []
    hosts: set[str] = set()
    seen = 0
    code = read_code(text)
    reach = _STRAYS  # a text before this one may have left a label open, past its last ]
    for kind, at in live_brackets(text, code):
        if kind[0] == "[":
            reach = (_GROUP if reach & (_CONTENT | _GROUP) else 0) | (_CONTENT if kind == "[" else 0)
            if kind == "[":
                if not stack:
                    hosts, seen = set(), at + 1
                stack.append(at)
            continue
        closes = bool(reach & (_CONTENT | _STRAYS))
        reach = (_CONTENT if reach & _GROUP else 0) | (_STRAYS if closes else 0)
        if kind == "]?" and not stack:
            if closes and text.startswith("(", at + 1):  # code, but a label opened before may end here
                edits.append((at + 1, 0, " "))
            continue
        if stack:
            hosts |= hosts_in(text[seen:at])
            seen = at
            opened = stack.pop()
        else:
            opened = -1
        if text.startswith("(", at + 1):
            edits += _judge(text, opened, at, hosts, outermost=not stack)
    edits += [(at, 0, "\\") for at in stack]
    edits += [(at, 0, "\\") for start, stop in code.loose for at in range(start, stop)]
    closing = "" if code.open_fence is None else ("" if text.endswith("\n") else "\n") + code.open_fence
    return apply_edits(text, edits) + closing


def _judge(text: str, opened: int, close: int, hosts: set[str], *, outermost: bool) -> list[Edit]:
    """Edits for the ``](`` at ``close``: none for an honest link, else make it plain text."""
    if opened < 0:
        return [(close + 1, 0, " ")]
    if not hosts:
        return []
    target = target_after(text, close + 2)
    if target is not None and _honest(hosts, target):
        return []
    if target is not None and outermost:
        return [(opened, 1, ""), (close, 1, " ")]
    return [(close + 1, 0, " ")]


def _visible(text: str) -> str:
    """Text as a reader sees it: invisible characters dropped (:func:`core.text.one_line`), compatibility forms
    folded, markup dropped, lower case."""
    if text.isascii():
        return text.translate(_HIDDEN).lower()
    return unicodedata.normalize("NFKC", one_line(text)).translate(_DOTS).translate(_HIDDEN).lower()


def _url_hosts(url: str) -> set[str]:
    """A URL's host, and any domain in the part before it (``https://bank.example@evil.example`` shows both)."""
    authority = url.partition("://")[2]
    for stop in "/?#":
        authority = authority.partition(stop)[0]
    hosts = {host for token in _DOMAIN.findall(authority) if (host := _domain(token)) is not None}
    host = _url_host(url)
    if host is not None:
        hosts.add(host)
    return hosts or {authority}


def _url_host(url: str) -> str | None:
    try:
        host = urlsplit(_visible(url.strip().strip("<>"))).hostname
    except ValueError:
        return None
    return _normal(host) if host else None


def _domain(token: str) -> str | None:
    """The domain a dotted token shows: its labels up to the last one that can end a domain, if two or more."""
    labels = token.strip("-").split(".")
    for end in range(len(labels), 1, -1):
        top = labels[end - 1]
        if (len(top) >= 2 and top.isalpha()) or top.startswith("xn--"):
            return _normal(".".join(labels[:end]))
    return None


@functools.lru_cache(maxsize=4096)
def _normal(host: str) -> str:
    host = host.strip(".").lower().removeprefix("www.")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host
