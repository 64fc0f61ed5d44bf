"""What an adapter asks of the core."""

from __future__ import annotations

from dataclasses import dataclass

from core.text import safe_text

__all__ = ["ThinkRequest", "Turn"]


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier question and its answer, given as context for a follow-up; both made safe as they come in.

    Adapters read turns back from chain records or platform history, so they are untrusted text like a question:
    :func:`core.text.safe_text` runs on both here, before they reach the cache key, the records or the LLM.
    """

    question: str
    answer: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "question", safe_text(self.question))
        object.__setattr__(self, "answer", safe_text(self.answer))


@dataclass(frozen=True, slots=True)
class ThinkRequest:
    """One question from one user in one place.

    ``user`` and ``place`` are opaque, platform-qualified ids (``discord:123``, ``slack:T01``); the core uses them
    for limits and records only. ``strategy`` and ``model`` of ``None`` mean the configured defaults. ``fresh``
    skips the result cache. ``delivery_key`` identifies the platform delivery (``slack:T01:Ev123``,
    ``discord:interaction:456``) so a redelivered event is answered once. ``channel`` and ``roles`` (the asker's
    Discord roles or Slack user groups) are checked against the place's allowlists, when it has any. ``limited``
    of ``False`` skips the user's and the place's rate limits (not the budget): the terminal's own user.
    """

    question: str
    user: str = "local"
    place: str = "local"
    strategy: str | None = None
    model: str | None = None
    fresh: bool = False
    history: tuple[Turn, ...] = ()
    delivery_key: str | None = None
    channel: str = ""
    roles: tuple[str, ...] = ()
    limited: bool = True
