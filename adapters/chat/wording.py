"""What the bot says, in the same words on every chat platform. Plain sentences: each platform's render module adds
its own markup (bold, small print, emoji) around them and escapes the untrusted text it puts in them."""

from __future__ import annotations

from collections.abc import Callable

from core.places import PlaceUsage

__all__ = [
    "CANT_POST",
    "EMPTY_FOLLOW_UP",
    "OUR_FAULT",
    "RESTARTED",
    "STOP_ENDED",
    "STOP_REFUSED",
    "STOP_UNREACHABLE",
    "THINKING_BELOW",
    "capped",
    "expand_hint",
    "incomplete",
    "kept",
    "queued",
    "sentence",
    "step_count",
    "thinking",
    "usage",
]

RESTARTED = "Thinkbot restarted before this chain finished; please ask again."
OUR_FAULT = "Something went wrong on our side while thinking. Please try again."
EMPTY_FOLLOW_UP = "Ask your follow-up after the mention, in the same message."
THINKING_BELOW = "Thinking in the thread below."
STOP_REFUSED = "Only the person who asked, or someone who may manage messages here, can stop this chain."
STOP_ENDED = "This chain has already ended."
STOP_UNREACHABLE = "I can't reach my other processes right now, so the chain was not stopped. Please try again shortly."
CANT_POST = "I can't post in this channel. Invite me with `/invite @thinkbot`, or send me a direct message."


def queued(position: int) -> str:
    """The chain waits for a free slot, ``position`` 1 being next."""
    return f"Busy right now: your question is number {position} in line."


def kept(steps: int) -> str:
    """After a failure: the steps already shown stay (empty when there are none)."""
    if steps <= 0:
        return ""
    return "The step above is kept." if steps == 1 else f"The {steps} steps above are kept."


def step_count(steps: int) -> str:
    return "1 step" if steps == 1 else f"{steps} steps"


def thinking(step: int, seconds: float) -> str:
    """Live progress: the step being thought and for how long so far."""
    return f"thinking step {step} · {seconds:.0f} s"


def capped(steps: int) -> str:
    """The chain ran to its step cap without the model saying it was done."""
    return f"stopped at the step cap of {steps}"


def expand_hint(emoji: str, *, each: bool = True) -> str:
    """How to see the steps in full, ``emoji`` written the platform's way (``🔍``, ``:mag:``); ``each``: the steps
    have messages of their own to react on (not in compact display)."""
    if not each:
        return f"react {emoji} here to see every step"
    return f"react {emoji} here to expand every step, or on one step to expand it"


def incomplete(platform: str) -> str:
    """A post the platform refused left the chain's thread incomplete."""
    return f"{platform} refused one of my messages here, so the chain is incomplete."


def sentence(clause: str) -> str:
    """``clause`` as a sentence of its own: a capital first letter and a full stop."""
    return clause[:1].upper() + clause[1:] + "."


def usage(today: PlaceUsage, bold: Callable[[str], str]) -> str:
    """``/thinkbot usage``: a place's day so far, a line a figure, each label set off with the platform's ``bold``."""
    budget = f" of {today.token_limit:,}" if today.token_limit else ""
    lines = [
        f"{bold('Today (UTC):')} {today.tokens:,}{budget} tokens",
        f"{bold('Questions:')} {today.questions:,}, {today.cache_hits:,} answered from the cache",
    ]
    if today.strategies:
        used = ", ".join(f"{name} {count:,}" for name, count in today.strategies.items())
        lines.append(f"{bold('Strategies:')} {used}")
    return "\n".join(lines)
