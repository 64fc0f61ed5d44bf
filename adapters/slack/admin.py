"""``/thinkbot settings`` and ``/thinkbot usage`` in Slack: a workspace's own settings and its day, for its admins
and owners (``users.info``) and the users ``THINKBOT_SLACK_ADMIN_USERS`` names. Every answer is ephemeral.

    /thinkbot settings                                  what applies here
    /thinkbot settings model=openai/gpt-oss-20b display=stream channels=#help #general roles=@mods daily_tokens=100000
    /thinkbot settings channels=all roles=everyone      clear the lists
    /thinkbot usage                                     today's tokens, questions, cache hits and strategies

The command must escape channels and user groups (the manifest's ``should_escape: true``), so they arrive as
``<#C123|name>`` and ``<!subteam^S123|@name>``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from adapters.chat import wording
from adapters.slack.admins import Admins
from adapters.slack.triggers import place_id
from core.errors import InputError
from core.places import PlaceSettings, PlaceUsage
from core.port import ThinkPort

__all__ = ["SlackAdmin", "parse_changes"]

_CHANNELS = re.compile(r"<#(C[A-Z0-9]+)|\b(C[A-Z0-9]{6,})\b")
_GROUPS = re.compile(r"<!subteam\^(S[A-Z0-9]+)|\b(S[A-Z0-9]{6,})\b")
_CLEAR = ("all", "any", "anyone", "everyone", "none", "-")
_KEYS = ("model", "strategy", "display", "channels", "roles", "daily_tokens")
_MOST_IDS = 50
DISPLAYS = ("thread", "compact", "stream")
USAGE = (
    "Use `/thinkbot settings [model=…] [strategy=…] [display=…] [channels=…] [roles=…] [daily_tokens=…]` "
    "or `/thinkbot usage`."
)


def parse_changes(text: str, current: PlaceSettings) -> PlaceSettings:
    """``current`` with the ``key=value`` changes in ``text`` (a value runs to the next key); ``InputError`` saying
    what is wrong. Linear in the text."""
    values: dict[str, list[str]] = {}
    key: str | None = None
    for word in text.split():
        name, sep, rest = word.partition("=")
        if sep and name.lower() in _KEYS:
            key = name.lower()
            values[key] = [rest] if rest else []
        elif key is None:
            raise InputError(f"I don't know {word[:40]!r}. {USAGE}")
        else:
            values[key].append(word)
    changes: dict[str, Any] = {}
    for name, words in values.items():
        value = " ".join(words).strip()
        if name in ("model", "strategy", "display"):
            changes[name] = value or None
            if name == "display" and value and value not in DISPLAYS:
                raise InputError(f"display is one of {', '.join(DISPLAYS)}.")
        elif name == "daily_tokens":
            if not value.replace(",", "").isdigit():
                raise InputError("daily_tokens is a whole number (0: the bot's default).")
            changes[name] = int(value.replace(",", "")) or None
        else:
            changes[name] = _ids(value, _CHANNELS if name == "channels" else _GROUPS, name)
    return dataclasses.replace(current, **changes)


def _ids(value: str, pattern: re.Pattern[str], name: str) -> tuple[str, ...]:
    if value.lower() in _CLEAR:
        return ()
    found = tuple(dict.fromkeys(a or b for a, b in pattern.findall(value)))[:_MOST_IDS]
    if not found:
        kind = "channels (#channel)" if name == "channels" else "user groups (@group)"
        raise InputError(f"Name the {kind}, or write {name}=all.")
    return found


class SlackAdmin:
    """``await admin.handle(command)``: the ephemeral reply to a ``/thinkbot`` command."""

    def __init__(
        self,
        *,
        service: ThinkPort,
        admins: Admins,
        extra_admins: frozenset[str] = frozenset(),
        default_strategy: str,
        budget_cap: int,
    ) -> None:
        self._service = service
        self._admins = admins
        self._extra = extra_admins
        self._default_strategy = default_strategy
        self._budget_cap = budget_cap

    async def handle(self, command: Mapping[str, Any]) -> str:
        user, team = str(command.get("user_id", "")), str(command.get("team_id", ""))
        if user not in self._extra and not await self._admins.includes(user):
            return "Only this workspace's admins and owners (or the users the bot's operator names) can use /thinkbot."
        verb, _, rest = str(command.get("text", "")).strip().partition(" ")
        place = place_id(team)
        if verb.lower() == "usage":
            return usage_text(await self._service.usage(place))
        if verb.lower() not in ("", "settings"):
            return USAGE
        current = await self._service.place_settings(place)
        try:
            wanted = parse_changes(rest, current) if rest.strip() else current
            saved = wanted != current
            if saved:
                wanted = await self._service.change_place_settings(place, wanted, by=f"slack:{team}:{user}")
        except InputError as exc:
            return exc.user_message
        head = "Saved. Thinkbot now works like this here:" if saved else "Thinkbot here:"
        changed = wanted
        return f"{head}\n{self._describe(changed)}"

    def _describe(self, settings: PlaceSettings) -> str:
        def chosen(value: object, default: object) -> str:
            return f"`{value}`" if value else f"`{default}` (the bot's default)"

        cap = f"{self._budget_cap:,} (the bot's)" if self._budget_cap else "none"
        lines = [
            f"*Model:* {chosen(settings.model, self._service.allowed_models[0])}",
            f"*Strategy:* {chosen(settings.strategy, self._default_strategy)}",
            f"*Display:* `{settings.display}`" if settings.display else "*Display:* the bot's default",
            f"*Channels:* {' '.join(f'<#{c}>' for c in settings.channels) or 'any'}",
            f"*User groups:* {' '.join(f'<!subteam^{g}>' for g in settings.roles) or 'anyone'}",
            f"*Daily tokens:* {f'{settings.daily_tokens:,}' if settings.daily_tokens else cap}",
        ]
        if settings.changed_by:
            lines.append(f"Last changed by <@{settings.changed_by.rsplit(':', 1)[-1]}>.")
        return "\n".join(lines)


def usage_text(usage: PlaceUsage) -> str:
    return wording.usage(usage, bold=lambda label: f"*{label}*")
