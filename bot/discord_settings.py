"""Settings of the Discord adapter (``thinkbot run --only discord``, or ``thinkbot discord``), from the
environment and ``.env``."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from adapters.discord.addresses import DISCORD_ENDPOINTS
from adapters.discord.options import DiscordOptions
from bot.chat_settings import ChatSettings
from bot.settings import load
from core.errors import ConfigError
from core.strategies.registry import DEFAULT_STRATEGY

__all__ = ["DiscordSettings", "load_discord_settings"]

MAX_SHARD = 65_535  # far past any bot's count; keeps a typo like 0-99999999 from listing millions


class DiscordSettings(ChatSettings):
    """Field ``x`` is read from ``THINKBOT_DISCORD_X`` unless an alias says otherwise."""

    model_config = SettingsConfigDict(
        env_prefix="THINKBOT_DISCORD_", env_file=".env", extra="ignore", populate_by_name=True, frozen=True
    )

    token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    application_id: int | None = Field(default=None, validation_alias="DISCORD_APPLICATION_ID", gt=0)
    api_base: str = DISCORD_ENDPOINTS.api_base
    gateway_url: str = DISCORD_ENDPOINTS.gateway_url
    guild_ids: Annotated[tuple[int, ...], NoDecode] = ()
    expand_emoji: str = Field(default="🔍", min_length=1, max_length=64)
    stop_emoji: str = Field(default="⏹️", min_length=1, max_length=64)
    full_steps: bool = False
    thread_archive_minutes: int = Field(default=1440)
    post_window: float = Field(default=5.0, ge=0, le=60)
    buttons: bool = True
    display: Literal["thread", "compact"] = "thread"
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None

    @field_validator("guild_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        """``"123, 456"`` (or a list) -> ``(123, 456)``."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.replace(";", ",").split(",") if part.strip())
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_ids(cls, value: object) -> object:
        """``"0-3"``, ``"0,2"`` or ``"0-3,8"`` (or a list) -> sorted distinct ids; empty -> all."""
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None
        return tuple(sorted(set(_shard_range(value))))

    @field_validator("shard_ids")
    @classmethod
    def _ids_in_count(cls, value: tuple[int, ...] | None, info: ValidationInfo) -> tuple[int, ...] | None:
        if value is None:
            return None
        if "shard_count" not in info.data:
            return value  # the count is wrong itself, and named
        count = info.data["shard_count"]
        if count is None:
            raise ValueError("needs THINKBOT_DISCORD_SHARD_COUNT, the total number of shards across all processes")
        if not value or min(value) < 0 or max(value) >= count:
            raise ValueError(f"each shard must be from 0 to {count - 1} (THINKBOT_DISCORD_SHARD_COUNT={count})")
        return value

    @field_validator("thread_archive_minutes")
    @classmethod
    def _archive(cls, value: int) -> int:
        if value not in (60, 1440, 4320, 10080):
            raise ValueError("must be one of 60, 1440, 4320, 10080 (minutes)")
        return value

    def options(
        self,
        *,
        strategies: tuple[str, ...],
        history_turns: int = 3,
        max_question_chars: int = 4000,
        default_strategy: str = DEFAULT_STRATEGY,
        budget_cap: int = 0,
    ) -> DiscordOptions:
        """The adapter's options; the keyword arguments come from the core settings (``THINKBOT_HISTORY_TURNS``,
        ``THINKBOT_MAX_QUESTION_CHARS``, ``THINKBOT_STRATEGY``, ``THINKBOT_DAILY_TOKEN_BUDGET``)."""
        return DiscordOptions(
            expand_emoji=self.expand_emoji,
            stop_emoji=self.stop_emoji,
            full_steps=self.full_steps,
            sync_guilds=self.guild_ids,
            strategies=strategies,
            thread_archive_minutes=self.thread_archive_minutes,
            thread_messages=self.thread_messages,
            post_window=self.post_window,
            history_turns=history_turns,
            layout=self.layout(self.display),
            buttons=self.buttons,
            shard_count=self.shard_count,
            shard_ids=self.shard_ids,
            layouts={display: self.layout(display) for display in ("thread", "compact")},
            max_question_chars=max_question_chars,
            default_strategy=default_strategy,
            budget_cap=budget_cap,
        )

    def require_token(self) -> str:
        if self.token is None or not self.token.get_secret_value().strip():
            raise ConfigError(
                "DISCORD_TOKEN is not set: copy the bot token from the Discord developer portal (Bot page) "
                "into the environment or .env."
            )
        return self.token.get_secret_value().strip()

    def invite_application_id(self) -> int:
        """DISCORD_APPLICATION_ID, else the id a bot token starts with (its first part is the id in base64)."""
        if self.application_id is not None:
            return self.application_id
        if self.token is not None:
            head = self.token.get_secret_value().strip().split(".")[0]
            try:
                decoded = base64.b64decode(head + "=" * (-len(head) % 4), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            if decoded.isdigit():
                return int(decoded)
        raise ConfigError(
            "DISCORD_APPLICATION_ID is not set: copy the Application ID from the Discord developer portal "
            "(General Information page)."
        )


def _shard_range(text: str) -> list[int]:
    """Every id in ``"0-3,8"``; a ValueError saying what is wrong otherwise."""
    ids: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        low, dash, high = part.partition("-")
        if not low.strip().isdigit() or (dash and not high.strip().isdigit()):
            raise ValueError("must be shard numbers and ranges, like 0-3 or 0,2")
        first, last = int(low), int(high) if dash else int(low)
        if last > MAX_SHARD:
            raise ValueError(f"shard {last} is past {MAX_SHARD}")
        if last < first:
            raise ValueError(f"the range {first}-{last} runs backwards")
        ids.extend(range(first, last + 1))
    return ids


def load_discord_settings(**overrides: object) -> DiscordSettings:
    return load(DiscordSettings, **overrides)
