"""Settings both chat adapters share: how much one chain may post, and how often steps may be toggled.

``DiscordSettings`` and ``SlackSettings`` inherit these fields under their own prefix
(``THINKBOT_DISCORD_THREAD_MESSAGES``, ``THINKBOT_SLACK_TOGGLE_RATE_USER``, ...).
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings

from adapters.chat.caps import MIN_MESSAGES
from adapters.chat.layout import Display, Layout
from bot.settings import checked
from core.state.rates import Rate

__all__ = ["ChatSettings"]


class ChatSettings(BaseSettings):
    thread_messages: int = Field(
        default=12,
        ge=MIN_MESSAGES,
        le=100,
        description=(
            "Most messages one chain posts in its thread: steps, answer parts and notes. Steps use all but the "
            "last two; later steps are folded. What does not fit comes as a file (Discord) or is packed into the "
            "messages left, with a note saying how much was cut (Slack). Also the most continuation messages one "
            "expansion adds."
        ),
    )
    group_steps: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Most steps one thread message shows (fewer when their text passes THINKBOT_*_GROUP_CHARS).",
    )
    group_chars: int = Field(
        default=1500,
        ge=100,
        le=12000,
        description=(
            "Most characters of step text one thread message shows before the next step starts a new one (the "
            "platform's own message limit always applies)."
        ),
    )
    progress_seconds: float = Field(
        default=2.0,
        ge=0,
        le=60,
        description=(
            "Seconds between two updates of the live progress (the step being thought and for how long); 0 turns "
            "it off. Less than 2 spends the platform's edit budget."
        ),
    )
    toggle_rate_message: str = Field(
        default="6/1m",
        description="Expand/collapse toggles one message takes, from anyone (N/s, N/1m, N/1h); more do nothing.",
    )
    toggle_rate_user: str = Field(
        default="20/1m",
        description="Expand/collapse toggles one user may make, on any message (N/s, N/1m, N/1h); more do nothing.",
    )

    def layout(self, display: Display) -> Layout:
        """The chat layout in ``display`` mode, with these settings' step groups and progress pace."""
        return Layout(
            display=display,
            group_steps=self.group_steps,
            group_chars=self.group_chars,
            progress_every=self.progress_seconds,
        )

    @field_validator("toggle_rate_message", "toggle_rate_user")
    @classmethod
    def _rate(cls, value: str) -> str:
        return checked(Rate.parse, value)
