"""Discord's addresses as data, without discord.py, so settings can name the defaults before any adapter runs;
:mod:`adapters.discord.endpoints` points discord.py at them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DISCORD_ENDPOINTS", "DiscordEndpoints"]


@dataclass(frozen=True, slots=True)
class DiscordEndpoints:
    """A REST base (``https://host/api/v10``) and a gateway address (``wss://host/``)."""

    api_base: str
    gateway_url: str


DISCORD_ENDPOINTS = DiscordEndpoints(api_base="https://discord.com/api/v10", gateway_url="wss://gateway.discord.gg/")
