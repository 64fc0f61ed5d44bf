"""The environment variables the code reads, derived from every settings class, for checking the deploy files."""

from __future__ import annotations

from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from bot.discord_settings import DiscordSettings
from bot.settings import Settings
from bot.slack_settings import SlackSettings

__all__ = ["SETTINGS_CLASSES", "variables"]

SETTINGS_CLASSES: tuple[type[BaseSettings], ...] = (Settings, DiscordSettings, SlackSettings)


def variables(classes: tuple[type[BaseSettings], ...] = SETTINGS_CLASSES) -> list[str]:
    """Every variable name any field of ``classes`` is read from (each alias choice counts), sorted, unique."""
    names: set[str] = set()
    for cls in classes:
        prefix = str(cls.model_config.get("env_prefix", ""))
        for field_name, field in cls.model_fields.items():
            alias = field.validation_alias
            if isinstance(alias, str):
                names.add(alias)
            elif isinstance(alias, AliasChoices):
                names.update(choice for choice in alias.choices if isinstance(choice, str))
            else:
                names.add(f"{prefix}{field_name}".upper())
    return sorted(names)


if __name__ == "__main__":
    print("\n".join(variables()))
