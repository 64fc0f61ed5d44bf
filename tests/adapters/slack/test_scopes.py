"""The manifest's bot scopes cover every kind of conversation the bot answers in, and the guide lists exactly them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[3]


def manifest_scopes() -> set[str]:
    """The entries of ``oauth_config.scopes.bot`` in manifest.yml (a list of ``- scope`` lines under ``bot:``)."""
    lines = (ROOT / "manifest.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "bot:") + 1
    scopes: set[str] = set()
    for line in lines[start:]:
        if not line.strip().startswith("- "):
            break
        scopes.add(line.strip().removeprefix("- "))
    return scopes


def guide_scopes() -> set[str]:
    """The scopes adapters/slack/README.md names between "It asks for the scopes" and "subscribes to"."""
    text = " ".join((ROOT / "adapters" / "slack" / "README.md").read_text().split())
    sentence = re.search(r"It asks for the scopes (.*?) subscribes to", text)
    assert sentence is not None
    return set(re.findall(r"`([a-z_.]+(?::[a-z_.]+)?)`", sentence.group(1)))


def test_group_dms_are_covered_like_channels_private_channels_and_dms() -> None:
    """The bot answers mentions in group DMs (``mpim``) as in channels, private channels and DMs."""
    assert {"channels:history", "groups:history", "im:history", "mpim:history"} <= manifest_scopes()


def test_the_guide_lists_the_manifests_scopes() -> None:
    assert guide_scopes() == manifest_scopes()
