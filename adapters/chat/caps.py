"""How many messages one chain may post into its thread, and the words that say what did not fit.

A chain's steps, answer parts and notes all count. Steps may use all but the last ``RESERVED`` messages, so the
answer (or the failure note) and a closing overflow note always have room; steps that arrive once the steps'
share is used are folded (held, then shown with the answer or offered another way). What does not fit is never
dropped silently: Discord attaches it as a file, Slack packs it into the messages left and says how much was cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["MIN_MESSAGES", "RESERVED", "ThreadCap", "attached_note", "cut_note", "overflow_subject", "within_room"]

T = TypeVar("T")

RESERVED = 2
MIN_MESSAGES = RESERVED + 1


@dataclass(slots=True, kw_only=True)
class ThreadCap:
    """``limit`` messages for one chain; ``sent`` counts those posted so far."""

    limit: int
    sent: int = 0

    def __post_init__(self) -> None:
        if self.limit < MIN_MESSAGES:
            raise ValueError(f"a chain needs room for at least {MIN_MESSAGES} messages")

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.sent)

    @property
    def steps_open(self) -> bool:
        """Whether another step message may go out now (the reserved messages stay free)."""
        return self.sent < self.limit - RESERVED

    def count(self, messages: int = 1) -> None:
        self.sent += messages


def overflow_subject(*, steps: bool, answer: bool) -> str:
    """What the overflow holds, as the subject of a sentence."""
    if steps and answer:
        return "The remaining steps and the answer"
    if steps:
        return "The remaining steps"
    return "The rest of the answer" if answer else "The rest"


def attached_note(subject: str, *, limit: int, filename: str, cut: bool = False) -> str:
    """The line on the last allowed message when the rest comes as an attachment."""
    note = f"📎 {subject} did not fit here (a chain posts at most {limit} messages in a thread): see {filename}."
    return note + (" The file itself was too large and ends early." if cut else "")


def cut_note(subject: str, chars: int, *, limit: int) -> str:
    """The closing note when text had to be left out: what, how much, and why."""
    return f"✂️ {subject} ({chars:,} characters) did not fit: a chain posts at most {limit} messages in a thread."


def within_room(messages: Sequence[T], room: int) -> tuple[list[T], list[T]]:
    """The ``messages`` one expansion posts as they are, and the rest, which the last message it may add carries
    the platform's way (so it adds at most ``room`` messages, and never less than one)."""
    if len(messages) <= room:
        return list(messages), []
    keep = max(0, room - 1)
    return list(messages[:keep]), list(messages[keep:])
