"""``/thinkbot settings`` and ``/thinkbot usage``: a server's own settings and its day, for members who may manage
the server (Manage Server). Every answer is ephemeral: only the admin sees it."""

from __future__ import annotations

import dataclasses
import logging
import re

import discord
from discord import app_commands

from adapters.chat import wording
from adapters.discord.asker import place_of
from adapters.discord.context import AdapterContext
from core.errors import InputError
from core.places import PlaceSettings, PlaceUsage

__all__ = ["build_admin_group", "ids_in", "settings_text", "usage_text"]

log = logging.getLogger(__name__)

_IDS = re.compile(r"\d{15,21}")
_CLEAR = ("all", "any", "anyone", "everyone", "none", "-")
_MOST_IDS = 50
REFUSED = "Only members who may manage this server (Manage Server) can use /thinkbot here."


def ids_in(text: str) -> tuple[str, ...] | None:
    """The channel or role ids in ``text`` (mentions like ``<#123>``, ``<@&123>`` or bare ids), in order and once
    each; ``()`` for a word that clears the list (``all``, ``everyone``...); ``None`` when it names nothing."""
    if text.strip().lower() in _CLEAR:
        return ()
    found = tuple(dict.fromkeys(_IDS.findall(text)))[:_MOST_IDS]
    return found or None


def settings_text(settings: PlaceSettings, *, default_model: str, default_strategy: str, budget_cap: int) -> str:
    def chosen(value: object, default: object) -> str:
        return f"`{value}`" if value else f"`{default}` (the bot's default)"

    channels = " ".join(f"<#{c}>" for c in settings.channels) or "any"
    roles = " ".join(f"<@&{r}>" for r in settings.roles) or "anyone"
    budget = (
        f"{settings.daily_tokens:,}"
        if settings.daily_tokens
        else (f"{budget_cap:,} (the bot's)" if budget_cap else "none")
    )
    lines = [
        f"**Model:** {chosen(settings.model, default_model)}",
        f"**Strategy:** {chosen(settings.strategy, default_strategy)}",
        f"**Display:** {chosen(settings.display, 'thread')}",
        f"**Channels:** {channels}",
        f"**Roles:** {roles}",
        f"**Daily tokens:** {budget}",
    ]
    if settings.changed_by:
        who = settings.changed_by.removeprefix("discord:")
        lines.append(f"Last changed by <@{who}> <t:{int(settings.changed_at)}:R>.")
    return "\n".join(lines)


def usage_text(usage: PlaceUsage) -> str:
    return wording.usage(usage, bold=lambda label: f"**{label}**")


def build_admin_group(ctx: AdapterContext) -> app_commands.Group:
    group = app_commands.Group(
        name="thinkbot",
        description="Thinkbot's settings and usage in this server",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    models = ctx.service.allowed_models
    strategies = ctx.options.strategies
    default_strategy, budget_cap = ctx.options.default_strategy, ctx.options.budget_cap

    @group.command(name="settings", description="Show or change how Thinkbot works in this server")
    @app_commands.describe(
        model="The model every /think here uses",
        strategy="How to reason by default",
        display="thread: each step group its own reply; compact: the answer, steps on demand",
        channels="Channels Thinkbot answers in (mention them), or 'all'",
        roles="Roles whose members may ask (mention them), or 'everyone'",
        daily_tokens="LLM tokens a day for this server (0: the bot's default)",
    )
    @app_commands.choices(
        model=[app_commands.Choice(name=m[:100], value=m) for m in models[:25]],
        strategy=[app_commands.Choice(name=s, value=s) for s in strategies[:25]],
        display=[app_commands.Choice(name=d, value=d) for d in ("thread", "compact")],
    )
    async def settings(
        interaction: discord.Interaction,
        model: str | None = None,
        strategy: str | None = None,
        display: str | None = None,
        channels: str | None = None,
        roles: str | None = None,
        daily_tokens: app_commands.Range[int, 0, 10**12] | None = None,
    ) -> None:
        if not await _admitted(interaction):
            return
        place = place_of(interaction)
        current = await ctx.service.place_settings(place)
        changed = current
        try:
            if model is not None:
                changed = _with(changed, model=model)
            if strategy is not None:
                changed = _with(changed, strategy=strategy)
            if display is not None:
                changed = _with(changed, display=display)
            if channels is not None:
                changed = _with(changed, channels=_listed(channels, "channel"))
            if roles is not None:
                changed = _with(changed, roles=_listed(roles, "role"))
            if daily_tokens is not None:
                changed = _with(changed, daily_tokens=daily_tokens or None)
            saved = changed != current
            if saved:
                changed = await ctx.service.change_place_settings(place, changed, by=f"discord:{interaction.user.id}")
        except InputError as exc:
            await interaction.response.send_message(exc.user_message, ephemeral=True)
            return
        text = settings_text(changed, default_model=models[0], default_strategy=default_strategy, budget_cap=budget_cap)
        head = "Saved. Thinkbot now works like this here:" if saved else "Thinkbot here:"
        await interaction.response.send_message(f"{head}\n{text}", ephemeral=True)

    @group.command(name="usage", description="Today's tokens, questions and strategies in this server")
    async def usage(interaction: discord.Interaction) -> None:
        if not await _admitted(interaction):
            return
        today = await ctx.service.usage(place_of(interaction))
        await interaction.response.send_message(usage_text(today), ephemeral=True)

    return group


def _with(settings: PlaceSettings, **changes: object) -> PlaceSettings:
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]  # the names are PlaceSettings' own


def _listed(text: str, kind: str) -> tuple[str, ...]:
    ids = ids_in(text)
    if ids is None:
        raise InputError(f"Mention the {kind}s (or write 'all' for any {kind}).")
    return ids


async def _admitted(interaction: discord.Interaction) -> bool:
    """Whether the member may manage the server; a private refusal saying who may, if not."""
    if interaction.guild_id is not None and interaction.permissions.manage_guild:
        return True
    await interaction.response.send_message(REFUSED, ephemeral=True)
    return False
