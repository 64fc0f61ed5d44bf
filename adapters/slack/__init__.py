"""Slack adapter: bolt's ``AsyncApp`` turning mentions, DMs and ``/think`` into core requests, with each chain
posted as a thread of collapsed steps that reactions expand. Served over Socket Mode or HTTP (see ``modes``).

bolt and slack_sdk load lazily, as the LLM SDKs do in :mod:`core.llm`: importing this package or ``options`` (which
the settings use) does not import them; ``from adapters.slack import SlackBot`` does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from adapters.slack.options import SlackOptions

if TYPE_CHECKING:
    from adapters.slack.app import SlackBot, web_client

__all__ = ["SlackBot", "SlackOptions", "web_client"]

_LAZY = {"SlackBot": "adapters.slack.app", "web_client": "adapters.slack.app"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
