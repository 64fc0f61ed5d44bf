"""Live progress as the thread's status line, where Slack offers one: ``assistant.threads.setStatus`` shows "thinkbot
is thinking step 3 · 12 s" under the thread, rotating the end of what the model has written as its loading message.

Slack takes the status down whenever the app replies in the thread, so each progress tick sets it again; at the
end it is taken down. Where Slack refuses the method (unknown, not allowed, a scope missing: the workspaces that
have not turned it on), the refusal is remembered for the workspace (:class:`~adapters.slack.refusals.Refusals`)
and the caller shows its own progress line instead.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from adapters.chat import wording
from adapters.chat.progress import latest
from adapters.chat.surface import Progress
from adapters.slack.poster import Poster
from adapters.slack.refusals import Refusals
from adapters.slack.render import clip_escaped
from adapters.slack.triggers import Ask

__all__ = ["LOADING_CHARS", "ThreadStatus"]

log = logging.getLogger(__name__)

LOADING_CHARS = 50  # Slack: each loading message 1 to 50 characters


class ThreadStatus:
    """The status line of ``ask``'s chain's thread."""

    def __init__(self, *, poster: Poster, ask: Ask, refused: Refusals) -> None:
        self._poster = poster
        self._ask = ask
        self._refused = refused
        self._thread: str | None = None  # where a status was set and not yet taken down

    async def show(self, thread_ts: str, progress: Progress) -> bool:
        """Show ``progress`` as the status of ``thread_ts``; ``False`` where Slack refuses status lines (then the
        caller shows its own)."""
        ask = self._ask
        if self._refused.refused(ask.team_id, ask.channel):
            return False
        status = f"is {wording.thinking(progress.step, progress.elapsed)}…"
        partial = clip_escaped(latest(progress.text, LOADING_CHARS), LOADING_CHARS) if progress.text else ""
        try:
            await self._poster.set_status(ask.channel, thread_ts, status, [partial] if partial else None)
        except SlackApiError as exc:
            code = exc.response.get("error")
            if self._refused.remember(ask.team_id, ask.channel, code):
                log.info("slack: status lines refused here (%s); progress shows as a line in the thread", code)
                return False
            log.warning("slack: could not set the thread's status: %s", code)  # this tick only
            return True
        self._thread = thread_ts
        return True

    async def clear(self) -> None:
        """Take the status down, if one was set."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        try:
            await self._poster.set_status(self._ask.channel, thread, "")
        except SlackApiError as exc:
            log.warning("slack: could not take the thread's status down: %s", exc.response.get("error"))
