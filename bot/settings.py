"""Settings from the environment and ``.env``. Every variable is listed in the README."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.chain_config import ChainConfig
from core.errors import ConfigError
from core.llm.structured import StructuredOutputs
from core.state.connection import RedisConfig, check_redis_url
from core.state.rates import Rate
from core.strategies.registry import DEFAULT_STRATEGY, STRATEGIES

__all__ = ["Settings", "checked", "load", "load_settings"]

S = TypeVar("S", bound=BaseSettings)

DEFAULT_MODEL = "openai/gpt-oss-120b"


class Settings(BaseSettings):
    """Thinkbot's settings. Field ``x`` is read from ``THINKBOT_X`` unless an alias says otherwise."""

    model_config = SettingsConfigDict(
        env_prefix="THINKBOT_", env_file=".env", extra="ignore", populate_by_name=True, frozen=True
    )

    groq_api_key: SecretStr | None = Field(default=None, validation_alias="GROQ_API_KEY")
    groq_base_url: str | None = Field(default=None, validation_alias="GROQ_BASE_URL")
    provider: Literal["groq", "openai"] = "groq"
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    model: str = Field(default=DEFAULT_MODEL, min_length=1)
    strategy: str = DEFAULT_STRATEGY  # a name in core.strategies.registry.STRATEGIES
    temperature: float = Field(default=0.2, ge=0.0, le=2.0)
    step_max_tokens: int = Field(default=1024, ge=16, le=65536)
    final_max_tokens: int = Field(default=2048, ge=16, le=65536)
    reasoning_headroom: int = Field(default=2048, ge=0, le=65536)
    reasoning_effort: Literal["low", "medium", "high"] = "low"
    structured_outputs: str = "auto"  # core.llm.structured: a mode, or a default and model=mode items
    step_cap: int = Field(default=25, ge=1, le=100)
    repair_limit: int = Field(default=2, ge=0, le=10)
    berry_turns: int = Field(default=3, ge=1, le=10)
    request_timeout: float = Field(default=60.0, gt=0)
    chain_deadline: float = Field(default=300.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    max_question_chars: int = Field(default=4000, ge=1, le=100_000)
    llm_max_connections: int = Field(default=256, ge=1, le=10_000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    health_port: int | None = Field(
        default=None, ge=0, le=65535, validation_alias=AliasChoices("THINKBOT_HEALTH_PORT", "PORT")
    )
    shutdown_grace: float = Field(default=25.0, ge=0, le=300)
    history_turns: int = Field(
        default=3,
        ge=0,
        le=20,
        validation_alias=AliasChoices("THINKBOT_HISTORY_TURNS", "THINKBOT_SLACK_HISTORY_TURNS"),  # the old, Slack's
    )

    redis_url: SecretStr | None = Field(default=None, validation_alias="REDIS_URL")
    redis_key_prefix: str = Field(default="thinkbot", min_length=1)
    redis_ssl_cert_reqs: Literal["required", "optional", "none"] = "required"
    redis_max_connections: int = Field(default=32, ge=1, le=10_000)
    cache_ttl: float = Field(default=24 * 3600.0, ge=0)
    record_ttl: float = Field(default=7 * 24 * 3600.0, gt=0)
    user_rate: str = "5/10m"
    place_rate: str = "60/10m"
    cli_rate_limited: bool = False  # whether `thinkbot ask`'s own user counts against the two rates above
    daily_token_budget: int = Field(default=2_000_000, ge=0)
    max_concurrent_chains: int = Field(default=16, ge=1, le=10_000)
    limits_fail_open: bool = True
    allowed_models: str = ""  # comma-separated models a server or workspace admin may choose, besides `model`

    role: Literal["all", "gateway"] = "all"  # gateway: chains go to `thinkbot worker` processes over Redis
    worker_concurrency: int = Field(default=8, ge=1, le=1000)
    job_claim_seconds: float = Field(default=30.0, ge=0.5, le=3600)

    @field_validator("user_rate", "place_rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        return checked(Rate.parse, value)

    @field_validator("structured_outputs")
    @classmethod
    def _structured_outputs(cls, value: str) -> str:
        return checked(StructuredOutputs.parse, value)

    @field_validator("strategy")
    @classmethod
    def _strategy(cls, value: str) -> str:
        return checked(STRATEGIES.check, value)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None  # an empty REDIS_URL means no URL: the embedded store
        checked(check_redis_url, value.get_secret_value())
        return value

    def redis_config(self) -> RedisConfig:
        return RedisConfig(
            url=self.redis_url.get_secret_value() if self.redis_url else None,
            key_prefix=self.redis_key_prefix,
            ssl_cert_reqs=self.redis_ssl_cert_reqs,
            max_connections=self.redis_max_connections,
            fail_open=self.limits_fail_open,
        )

    def model_choices(self) -> tuple[str, ...]:
        """The models a server or workspace may choose: ``model`` first, then the allowlist."""
        listed = (m.strip() for m in self.allowed_models.split(","))
        return tuple(dict.fromkeys((self.model, *(m for m in listed if m))))

    def chain_config(self) -> ChainConfig:
        return ChainConfig(
            model=self.model,
            temperature=self.temperature,
            step_max_tokens=self.step_max_tokens,
            final_max_tokens=self.final_max_tokens,
            step_cap=self.step_cap,
            repair_limit=self.repair_limit,
            berry_turns=self.berry_turns,
            deadline=self.chain_deadline,
            max_question_chars=self.max_question_chars,
        )

    def require_llm(self) -> None:
        """Raise :class:`ConfigError` unless the chosen provider has what it needs to make a call."""
        if self.provider == "groq" and not _has(self.groq_api_key):
            raise ConfigError(
                "GROQ_API_KEY is not set: create a key in the Groq console and put it in the environment or .env."
            )
        if self.provider == "openai" and not self.openai_base_url:
            raise ConfigError(
                "THINKBOT_OPENAI_BASE_URL is not set: the openai provider needs the endpoint's base URL, "
                "for example http://localhost:11434/v1 for Ollama."
            )


def checked(check: Callable[[str], object], value: str) -> str:
    """``value`` once ``check`` accepts it; its :class:`ConfigError` becomes the ``ValueError`` pydantic reports."""
    try:
        check(value)
    except ConfigError as exc:
        raise ValueError(exc.message) from None
    return value


def load_settings(**overrides: object) -> Settings:
    """The core settings; see :func:`load`."""
    return load(Settings, **overrides)


def load(settings_class: type[S], **overrides: object) -> S:
    """Read ``settings_class``, turning validation errors into one :class:`ConfigError` naming each variable.

    The offending values are never repeated, so a malformed secret cannot leak into the message.
    """
    try:
        return settings_class(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{_variable(settings_class, err['loc'])}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ConfigError(f"Invalid setting — {problems}.") from None


def _variable(settings_class: type[BaseSettings], loc: tuple[int | str, ...]) -> str:
    name = str(loc[0]) if loc else "?"
    aliased = {
        field_name: field.validation_alias
        for field_name, field in settings_class.model_fields.items()
        if isinstance(field.validation_alias, str)
    }
    if name in aliased.values():
        return name
    prefix = str(settings_class.model_config.get("env_prefix", ""))
    return aliased.get(name) or f"{prefix}{name}".upper()


def _has(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value().strip())
