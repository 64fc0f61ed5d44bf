"""Settings of the Slack adapter (``thinkbot run --only slack``, or ``thinkbot slack``), from the environment and
``.env``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from adapters.slack.options import SlackDisplay, SlackOptions
from bot.chat_settings import ChatSettings
from bot.settings import load
from core.errors import ConfigError
from core.strategies.registry import DEFAULT_STRATEGY

__all__ = ["SlackCredentials", "SlackSettings", "load_slack_settings"]

EMOJI_NAME = r"^[a-z0-9_+'-]{1,64}$"


@dataclass(frozen=True, slots=True, kw_only=True)
class SlackCredentials:
    """The checked secrets; they never show in a repr."""

    bot_token: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)


class SlackSettings(ChatSettings):
    """Field ``x`` is read from ``THINKBOT_SLACK_X`` unless an alias says otherwise.

    ``SLACK_APP_TOKEN`` set: Socket Mode (a worker; ``/healthz``, ``/readyz`` and ``/metrics`` on the core's health
    port). Unset: HTTP mode on ``PORT``, at ``/slack/events`` beside those three, which needs ``SLACK_SIGNING_SECRET``.
    """

    model_config = SettingsConfigDict(
        env_prefix="THINKBOT_SLACK_", env_file=".env", extra="ignore", populate_by_name=True, frozen=True
    )

    bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    api_url: str | None = Field(default=None, validation_alias="SLACK_API_URL")
    port: int = Field(default=3000, validation_alias="PORT", ge=0, le=65535)
    host: str = "0.0.0.0"  # noqa: S104 - a web process must listen on every interface
    expand_reaction: str = Field(default="mag", pattern=EMOJI_NAME)
    stop_reaction: str = Field(default="octagonal_sign", pattern=EMOJI_NAME)
    progress_reaction: str = Field(default="hourglass_flowing_sand", pattern=EMOJI_NAME)
    broadcast_answer: bool = False
    post_interval: float = Field(default=1.0, ge=0, le=60)
    max_retries: int = Field(default=3, ge=0, le=10)
    display: SlackDisplay = "thread"
    admin_users: str = ""  # Slack user ids who may use /thinkbot besides the workspace's admins and owners

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        """slack_sdk appends the method name to the base URL, so it must end with a slash."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @property
    def mode(self) -> Literal["socket", "http"]:
        return "socket" if _value(self.app_token) else "http"

    def options(
        self, *, history_turns: int = 3, default_strategy: str = DEFAULT_STRATEGY, budget_cap: int = 0
    ) -> SlackOptions:
        """The adapter's options; the keyword arguments come from the core settings (``THINKBOT_HISTORY_TURNS``,
        ``THINKBOT_STRATEGY``, ``THINKBOT_DAILY_TOKEN_BUDGET``)."""
        return SlackOptions(
            expand_reaction=self.expand_reaction,
            stop_reaction=self.stop_reaction,
            progress_reaction=self.progress_reaction,
            broadcast_answer=self.broadcast_answer,
            post_interval=self.post_interval,
            max_retries=self.max_retries,
            history_turns=history_turns,
            thread_messages=self.thread_messages,
            layout=self.layout("compact" if self.display == "compact" else "thread"),
            stream=self.display == "stream",
            layouts={display: self.layout(display) for display in ("thread", "compact")},
            admin_users=frozenset(u.strip() for u in self.admin_users.split(",") if u.strip()),
            default_strategy=default_strategy,
            budget_cap=budget_cap,
        )

    def credentials(self) -> SlackCredentials:
        """The tokens this mode needs, checked for shape; :class:`ConfigError` names what is missing."""
        bot_token = _value(self.bot_token)
        if not bot_token.startswith("xoxb-"):
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set or is not a bot token (xoxb-…): copy the Bot User OAuth Token from "
                "your Slack app's OAuth & Permissions page."
            )
        if self.mode == "socket":
            app_token = _value(self.app_token)
            if not app_token.startswith("xapp-"):
                raise ConfigError(
                    "SLACK_APP_TOKEN is not an app-level token (xapp-…): create one with the connections:write "
                    "scope under Basic Information > App-Level Tokens, or unset it to use HTTP mode."
                )
            return SlackCredentials(bot_token=bot_token, app_token=app_token)
        secret = _value(self.signing_secret)
        if not secret:
            raise ConfigError(
                "HTTP mode needs SLACK_SIGNING_SECRET (Basic Information > App Credentials); "
                "or set SLACK_APP_TOKEN to use Socket Mode."
            )
        return SlackCredentials(bot_token=bot_token, signing_secret=secret)


def load_slack_settings(**overrides: object) -> SlackSettings:
    return load(SlackSettings, **overrides)


def _value(secret: SecretStr | None) -> str:
    return secret.get_secret_value().strip() if secret is not None else ""
