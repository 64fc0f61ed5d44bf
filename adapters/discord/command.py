"""The /think slash command: defer first, then show the chain in a thread from the header."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from adapters.chat.presenter import Presenter
from adapters.discord.asker import asked_where, place_of, roles_of
from adapters.discord.buttons import HeaderButtons
from adapters.discord.context import AdapterContext
from adapters.discord.header import InteractionHeader
from adapters.discord.outlet import Outlet, OutletOpener, open_in_channel, replies_to
from adapters.discord.render import thread_name
from adapters.discord.surface import DiscordSurface
from core.request import ThinkRequest

__all__ = ["build_think_command", "run_think", "show"]

log = logging.getLogger(__name__)

_OPTION_CHARS = 6000  # the longest max_length Discord allows a string option
_ALREADY_ANSWERED = (40060, 10062)  # acknowledged already / unknown interaction: a redelivery or a stale one


def build_think_command(ctx: AdapterContext) -> app_commands.Command:  # type: ignore[type-arg]
    """/think: the question (at most the configured length, which the Discord client enforces), and optionally a
    strategy from the registry, a model from the operator's allowlist,
    private steps and a fresh run."""
    choices = [app_commands.Choice(name=name, value=name) for name in ctx.options.strategies]
    models = [app_commands.Choice(name=m[:100], value=m) for m in ctx.service.allowed_models[:25]]
    longest = min(ctx.options.max_question_chars, _OPTION_CHARS)

    async def think(
        interaction: discord.Interaction,
        question: str,
        strategy: str | None = None,
        model: str | None = None,
        private: bool = False,
        fresh: bool = False,
    ) -> None:
        await run_think(
            ctx, interaction, question=question, strategy=strategy, model=model, private=private, fresh=fresh
        )

    # The limit is a setting, so the annotation is made here, as an object (this module's annotations are strings).
    think.__annotations__["question"] = app_commands.Range[str, 1, longest]
    described = app_commands.describe(
        question="What to think about",
        strategy="How to reason (default: the bot's setting)",
        model="Which model thinks (default: this server's setting)",
        private="Show the steps only to you, without a thread",
        fresh="Think again instead of reusing a cached answer",
    )(app_commands.choices(strategy=choices, model=models)(think))
    command = app_commands.command(name="think", description="Think about a question step by step, in a thread")
    return command(described)


async def deferred(interaction: discord.Interaction, *, ephemeral: bool) -> bool:
    """Defer the interaction before any other I/O (Discord's 3 s rule); ``False`` for a delivery answered already
    (a redelivery, or a stale one), which is then ignored."""
    try:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    except discord.HTTPException as exc:
        if exc.code in _ALREADY_ANSWERED:
            log.info("interaction %s was answered already (%s); ignoring this delivery", interaction.id, exc.code)
            return False
        raise
    return True


async def run_think(
    ctx: AdapterContext,
    interaction: discord.Interaction,
    *,
    question: str,
    strategy: str | None,
    private: bool,
    fresh: bool,
    model: str | None = None,
) -> None:
    if not await deferred(interaction, ephemeral=private):
        return
    user = interaction.user.id
    place = place_of(interaction)
    request = ThinkRequest(
        question=question,
        user=f"discord:{user}",
        place=place,
        strategy=strategy,
        model=model,
        fresh=fresh,
        delivery_key=f"discord:interaction:{interaction.id}",
        channel=asked_where(interaction.channel) if interaction.channel else str(interaction.channel_id or ""),
        roles=roles_of(interaction.user),
    )
    settings = await ctx.service.place_settings(place)
    header = InteractionHeader(interaction=interaction, private=private)

    bot_id = interaction.client.user.id if interaction.client.user else 0
    surface = DiscordSurface(
        ctx=ctx,
        header=header,
        open_outlet=_outlet_opener(ctx, interaction, header, private=private, question=question),
        asker_id=user,
        bot_id=bot_id,
        full=private or ctx.options.full_steps,
        buttons=HeaderButtons(private=private) if ctx.options.buttons else None,
    )
    await show(ctx, surface, request, display=settings.display)


async def show(
    ctx: AdapterContext, surface: DiscordSurface, request: ThinkRequest, *, display: str | None = None
) -> None:
    """Show ``request``'s chain on ``surface``, under the shared presenter, in the server's ``display``."""
    presenter = Presenter(
        service=ctx.service,
        surface=surface,
        asker=request.user,
        thread_messages=ctx.options.thread_messages,
        layout=ctx.options.layout_for(display),
        showing=ctx.running,
    )
    await presenter.run(request)


def _outlet_opener(
    ctx: AdapterContext, interaction: discord.Interaction, header: InteractionHeader, *, private: bool, question: str
) -> OutletOpener:
    """Private: ephemeral follow-ups. DMs (no threads there): replies. Else a thread, or replies without one."""

    async def open_outlet(message: discord.Message) -> Outlet:
        if private:

            async def ephemeral(text: str, file: discord.File | None = None) -> discord.Message:
                if file is None:
                    return await interaction.followup.send(text, ephemeral=True, wait=True)
                return await interaction.followup.send(text, file=file, ephemeral=True, wait=True)

            return Outlet(send=ephemeral, channel_id=None, linkable=False, can_react=False)
        if interaction.guild_id is None:
            return replies_to(message)
        return await open_in_channel(
            message,
            notice=header,
            pacer=ctx.pacer,
            permissions=interaction.app_permissions,
            name=thread_name(question),
            archive_minutes=ctx.options.thread_archive_minutes,
        )

    return open_outlet
