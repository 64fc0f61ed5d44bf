"""How a chain is laid out in chat, the same on every platform: the display mode, the step groups' budget and how
often live progress is shown. ``bot/`` builds it from each platform's settings (``THINKBOT_DISCORD_DISPLAY``,
``THINKBOT_SLACK_GROUP_STEPS``, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Display", "Layout"]

Display = Literal["thread", "compact"]
"""``thread``: the steps go into the chain's thread as it runs, grouped by content; ``compact``: the head and the
answer only, the steps on demand (the expand reaction on the head or the answer posts them)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """``group_steps`` steps at most share one thread message, and fewer when their text passes ``group_chars``
    (as the platform counts it; its own message limit always applies); ``progress_every``: seconds between two
    updates of the live progress (0: none)."""

    display: Display = "thread"
    group_steps: int = 3
    group_chars: int = 1500
    progress_every: float = 2.0

    def __post_init__(self) -> None:
        if self.group_steps < 1 or self.group_chars < 1 or self.progress_every < 0:
            raise ValueError("a layout groups at least one step and one character, and progress_every is >= 0")
