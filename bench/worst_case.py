"""Worst case of every parser, converter and splitter of untrusted text, in ms per 100 KB.

Each function meets the same adversarial inputs of exactly 100,000 characters: the reproductions of issue 9
(bold markers, backtick runs, a 100-tilde fence, a fence followed by spaces, a disguised link) and generated
pathological families (runs of every special character, repeated delimiter patterns, unclosed links, brackets,
entities, emoji, CRLF, JSON-ish fragments, ordinary Markdown). For each function the worst input is reported.
Baseline in the same run: the worst, over the same inputs, of a plain ``re.sub`` escaping ``&`` (one linear
pass a converter cannot beat). Target: every function linear, well under 1 s per 100 KB.

Each measurement runs in a child process with a time budget, so a quadratic function is reported as over the
budget instead of stalling the run. ``--source DIR`` imports the functions from another checkout (for figures
before a change: ``git worktree add /tmp/base <commit>`` then ``--source /tmp/base``); a function that checkout
lacks is reported as absent.

    python -m bench.worst_case [--budget 30] [--repeat 3] [--source DIR] [--only NAME]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import multiprocessing
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

SIZE = 100_000

# name -> (module, attribute, how to call it)
FUNCTIONS: dict[str, tuple[str, str, Callable[[Callable[..., Any], str], Any]]] = {
    "discord split_text": ("adapters.discord.split", "split_text", lambda f, t: f(t)),
    "slack split_text": ("adapters.slack.split", "split_text", lambda f, t: f(t, 3000)),
    "slack to_mrkdwn": ("adapters.slack.mrkdwn", "to_mrkdwn", lambda f, t: f(t)),
    "slack from_slack": ("adapters.slack.mrkdwn", "from_slack", lambda f, t: f(t)),
    "link rewriter": ("adapters.chat.links", "safe_markdown", lambda f, t: f(t)),
    "step parser": ("core.strategies.step_parser", "parse_step", lambda f, t: f(t)),
    "baseline re.sub('&')": ("re", "sub", lambda f, t: f("&", "&amp;", t)),
}
BASELINE = "baseline re.sub('&')"


def fill(pattern: str, *, head: str = "", tail: str = "") -> str:
    """``head``, ``pattern`` repeated, ``tail``: exactly SIZE characters."""
    room = SIZE - len(head) - len(tail)
    return head + (pattern * (room // len(pattern) + 1))[:room] + tail


def inputs() -> dict[str, str]:
    cases = {
        "issue: **a repeated": fill("**a "),
        "issue: backticks": fill("`"),
        "issue: 100-tilde fence": fill("lorem ipsum ", head="Intro\n" + "~" * 100 + "\n"),
        "issue: fence then spaces": fill(" ", head="```"),
        "issue: disguised links": fill("[https://bank.example](http://evil.example/phish) "),
        "ordinary markdown": fill(
            "# Title\n\nSome **bold** and _it_ text with `code`, [docs](https://x.example/a) and a list:\n"
            "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint('x')\n```\n\n"
        ),
        "step JSON": fill('"lorem ipsum ', head='{"title": "t", "content": "', tail='", "next_action": "continue"}'),
    }
    for char in 'x` ~\n*_#&[]()-|<>{}",:\\':
        cases[f"run of {char!r}"] = fill(char)
    patterns = [
        "~~a ", "__a ", "*a ", "# a ", "#\n", "-\n", "- - ", "|-|\n", "| a |\n|-|-", "[a](http://", "[[", "](",
        "[x.yz](", "[x](<", "&amp;", "&", "<@U1|", "```\n", "~~~\n", "``` ", "😀", "e\u0301", "\r\n", "a.b.",
        '{"a": ', "{", ",\n", '"\\', "https://", "\u200d", "<!channel>", "\\[",
    ]  # fmt: skip
    for pattern in patterns:
        cases[f"repeated {pattern!r}"] = fill(pattern)
    cases["fence and spaces, no newline"] = fill(" ", head="```json")
    cases["long line, no spaces"] = fill("abcdefghij")
    return cases


def _measure(source: str | None, name: str, text: str, repeat: int, out: Connection) -> None:
    if source:
        sys.path.insert(0, source)
    module, attribute, call = FUNCTIONS[name]
    try:
        function = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError):
        out.send(None)
        return
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(Exception):  # a parser refusing hostile input is an answer; its time counts
            call(function, text)
        best = min(best, time.perf_counter() - start)
    out.send(best)


def measure(source: str | None, name: str, text: str, *, repeat: int, budget: float) -> float | None:
    """Best of ``repeat`` calls in seconds; ``inf`` past ``budget``; ``None`` when the function is absent."""
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_measure, args=(source, name, text, repeat, send))
    child.start()
    ready = receive.poll(budget * repeat + 5)
    result = receive.recv() if ready else float("inf")
    if child.is_alive():
        child.kill()
    child.join()
    return result


def shown(seconds: float | None, budget: float) -> str:
    if seconds is None:
        return "absent"
    if seconds == float("inf"):
        return f"> {budget * 1000:,.0f} ms"
    return f"{seconds * 1000:,.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=30.0, help="seconds one call may take before it counts as over")
    parser.add_argument("--repeat", type=int, default=3, help="calls per input; the best counts")
    parser.add_argument("--source", help="import the functions from this checkout instead")
    parser.add_argument("--only", help="only functions whose name contains this")
    args = parser.parse_args()
    cases = inputs()
    names = [BASELINE] + [n for n in FUNCTIONS if n != BASELINE and (not args.only or args.only in n)]
    print(f"{len(cases)} inputs of {SIZE:,} characters; worst case per function, ms per 100 KB", flush=True)
    base = float("nan")
    for name in names:
        results = {case: measure(args.source, name, text, repeat=args.repeat, budget=args.budget)
                   for case, text in cases.items()}  # fmt: skip
        timed = {case: s for case, s in results.items() if s is not None}
        worst = max(timed, key=lambda c: timed[c], default="")
        seconds = timed.get(worst)
        base = seconds if name == BASELINE and seconds else base
        ratio = "" if seconds is None or seconds == float("inf") else f"{seconds / base:,.0f}x"
        print(f"{name:22} {shown(seconds, args.budget):>14} {ratio:>7}  worst input: {worst}", flush=True)


if __name__ == "__main__":
    main()
