"""What the Slack adapter needs to know, independent of where it came from (``bot/slack_settings.py`` builds it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from adapters.chat.layout import Layout
from adapters.chat.linkwait import LINK_WAIT
from core.strategies.registry import DEFAULT_STRATEGY

__all__ = ["SlackDisplay", "SlackOptions"]

SlackDisplay = Literal["thread", "compact", "stream"]
"""The chat layouts (:data:`adapters.chat.layout.Display`) and ``stream``: one streamed message with a plan."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SlackOptions:
    """Reaction names are Slack emoji names without colons.

    ``post_interval`` is the gap between two posts in one channel (Slack: about 1 s); ``max_retries`` how often a
    429, 5xx or dropped connection is retried; ``history_turns`` how many earlier questions and answers in a
    thread a follow-up carries (``bot/`` passes the core's ``THINKBOT_HISTORY_TURNS``). ``thread_messages`` is
    the most messages one chain posts in its thread (steps, answer parts, notes; what does not fit is packed into
    the messages left, with a note saying how much was cut), and the most continuation messages one expansion
    adds. ``link_wait``: seconds a reaction on one of our messages waits for the message's link to be saved.
    ``layout``: how a chain shows as posts (display mode, step groups, live progress); ``stream``: as one streamed
    message with a plan instead, where Slack allows it (``THINKBOT_SLACK_DISPLAY=stream``; a chain it refuses
    falls back to ``layout``). ``refusal_memory``: seconds a workspace's refusal of a newer method (streams, the
    thread's status line) is remembered before the method is tried there again. ``layouts``: the layout of each
    display a workspace's admin may choose (``stream`` is ``layout`` streamed). ``admin_users``: who may use
    /thinkbot besides the workspace's admins and owners; ``default_strategy``, ``budget_cap``: the deployment's,
    shown by /thinkbot settings.
    """

    expand_reaction: str = "mag"
    stop_reaction: str = "octagonal_sign"
    progress_reaction: str = "hourglass_flowing_sand"
    broadcast_answer: bool = False
    post_interval: float = 1.0
    max_retries: int = 3
    history_turns: int = 3
    thread_messages: int = 12
    link_wait: float = LINK_WAIT
    layout: Layout = field(default_factory=Layout)
    stream: bool = False
    refusal_memory: float = 3600.0
    layouts: Mapping[str, Layout] = field(default_factory=dict)
    admin_users: frozenset[str] = frozenset()
    default_strategy: str = DEFAULT_STRATEGY
    budget_cap: int = 0

    def shown_as(self, display: str | None) -> tuple[Layout, bool]:
        """The layout and whether to stream, for a workspace's chosen ``display`` (the deployment's when none)."""
        if display == "stream":
            return self.layout, True
        if display is not None and display in self.layouts:
            return self.layouts[display], False
        return self.layout, self.stream
