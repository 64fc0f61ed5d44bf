"""Splits a streamed reply that opens with ``<think>…</think>`` into its reasoning and its answer, as it arrives.

Reasoning models served without a reasoning field (qwen3, QwQ or deepseek-r1 through Ollama, vLLM or LM Studio's
OpenAI-compatible API, or Groq's ``reasoning_format="raw"``) write their thinking inline, at the start of the
content: ``<think>`` then the reasoning, ``</think>``, then the answer. :class:`ThinkTags` takes the content piece by
piece and hands back each piece's share of reasoning and answer, so the reasoning can be shown while it is written.

The rules, the same whatever the chunking (the tests check any split of a text against the whole):

- whitespace at the start of the reply is dropped; a reply whose first other characters are not ``<think>`` is
  all answer;
- everything between ``<think>`` and the first ``</think>`` is reasoning, as written;
- everything after that ``</think>`` is answer, as written (a second ``<think>`` there is answer text);
- an unclosed ``<think>`` makes the rest of the reply reasoning (the model ran out of tokens while thinking).

Linear time and bounded memory: at most ``len("</think>") - 1`` characters wait for the next piece (a tag may
straddle two pieces).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

__all__ = ["Split", "ThinkTags", "split_think"]

OPEN = "<think>"
CLOSE = "</think>"
_WHITESPACE = " \t\n"

State = Literal["lead", "think", "answer"]


class Split(NamedTuple):
    """A share of the reply: its ``reasoning`` and its ``answer`` (either may be empty)."""

    reasoning: str
    answer: str


class ThinkTags:
    """Feed the content pieces in order, then :meth:`flush` once at the end."""

    def __init__(self) -> None:
        self._state: State = "lead"
        self._held = ""  # lead: maybe the start of "<think>"; think: maybe the start of "</think>"

    @property
    def thinking(self) -> bool:
        """Inside an open ``<think>`` block."""
        return self._state == "think"

    def feed(self, piece: str) -> Split:
        if self._state == "answer":
            return Split("", piece)
        text, self._held = self._held + piece, ""
        if self._state == "lead":
            return self._lead(text)
        return self._think(text)

    def flush(self) -> Split:
        """What was held back: a partial tag is text after all (reasoning inside the block, answer before it)."""
        held, self._held = self._held, ""
        if self._state == "think":
            return Split(held, "")
        self._state = "answer"
        return Split("", held)

    def _lead(self, text: str) -> Split:
        text = text.lstrip(_WHITESPACE)
        if OPEN.startswith(text):  # nothing yet, or "<thi": wait for more
            self._held = text
            return Split("", "")
        if text.startswith(OPEN):
            self._state = "think"
            return self._think(text[len(OPEN) :])
        self._state = "answer"
        return Split("", text)

    def _think(self, text: str) -> Split:
        end = text.find(CLOSE)
        if end >= 0:
            self._state = "answer"
            return Split(text[:end], text[end + len(CLOSE) :])
        keep = _partial_tag(text)
        self._held = text[len(text) - keep :]
        return Split(text[: len(text) - keep], "")


def _partial_tag(text: str) -> int:
    """How many characters at the end of ``text`` could be the start of ``</think>``."""
    for size in range(min(len(CLOSE) - 1, len(text)), 0, -1):
        if text.endswith(CLOSE[:size]):
            return size
    return 0


def split_think(text: str) -> Split:
    """The whole reply at once: the same split as feeding it in any pieces."""
    tags = ThinkTags()
    first, last = tags.feed(text), tags.flush()
    return Split(first.reasoning + last.reasoning, first.answer + last.answer)
