"""The Web API calls the adapter makes, through the real ``AsyncWebClient``. A new message is sent in its channel's
turn (``async with poster.pacer.slot(channel)``, Slack's pace: ``post_interval`` apart); :meth:`Poster.post` takes
the turn itself, :meth:`Poster.send` is for a caller that holds it already. A streamed message is started in its
turn too; appending to it and stopping it post nothing new (Slack rates those methods by their own tiers)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.chat.pacing import ChannelPacer
from adapters.slack.render import Rendered
from adapters.slack.stream_render import Chunk

__all__ = ["Poster", "SlackMessage"]

log = logging.getLogger(__name__)

SlackMessage = dict[str, Any]
_HARMLESS = frozenset({"already_reacted", "no_reaction", "message_not_found"})


class Poster:
    def __init__(self, *, client: AsyncWebClient, pacer: ChannelPacer[str]) -> None:
        self.client = client
        self.pacer = pacer

    async def post(self, channel: str, message: Rendered, *, thread_ts: str | None = None) -> str:
        """Post in ``channel``'s turn; returns the new ts."""
        async with self.pacer.slot(channel):
            return await self.send(channel, message, thread_ts=thread_ts)

    async def send(
        self, channel: str, message: Rendered, *, thread_ts: str | None = None, broadcast: bool = False
    ) -> str:
        """Post now (the caller holds the channel's turn, or it is a last word at shutdown); returns the new ts."""
        reply = await self.client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=list(message.blocks),
            thread_ts=thread_ts,
            reply_broadcast=broadcast or None,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(reply["ts"])

    async def start_stream(
        self, channel: str, thread_ts: str, chunks: list[Chunk], *, recipient: tuple[str, str] | None = None
    ) -> str:
        """Start a streamed message with a plan in ``thread_ts``, in the channel's turn; returns its ts.
        ``recipient``: the team and user it streams to (needed outside a DM)."""
        team, user = recipient or (None, None)
        async with self.pacer.slot(channel):
            reply = await self.client.chat_startStream(
                channel=channel,
                thread_ts=thread_ts,
                recipient_team_id=team,
                recipient_user_id=user,
                task_display_mode="plan",
                chunks=chunks,
            )
        return str(reply["ts"])

    async def append_stream(self, channel: str, ts: str, chunks: list[Chunk]) -> None:
        await self.client.chat_appendStream(channel=channel, ts=ts, chunks=chunks)

    async def stop_stream(self, channel: str, ts: str, chunks: list[Chunk]) -> None:
        await self.client.chat_stopStream(channel=channel, ts=ts, chunks=chunks or None)

    async def set_status(self, channel: str, thread_ts: str, status: str, loading: list[str] | None = None) -> None:
        """The status line under a thread ("is thinking…"); an empty ``status`` takes it down."""
        await self.client.assistant_threads_setStatus(
            channel_id=channel, thread_ts=thread_ts, status=status, loading_messages=loading or None
        )

    async def update(self, channel: str, ts: str, message: Rendered) -> None:
        await self.client.chat_update(channel=channel, ts=ts, text=message.text, blocks=list(message.blocks))

    async def delete(self, channel: str, ts: str) -> None:
        await self._tolerant(self.client.chat_delete(channel=channel, ts=ts))

    async def react(self, channel: str, ts: str, name: str, *, add: bool = True) -> None:
        """Add or remove our reaction; one that is already there (or gone) is fine."""
        method = self.client.reactions_add if add else self.client.reactions_remove
        await self._tolerant(method(channel=channel, timestamp=ts, name=name))

    async def ephemeral(self, channel: str, user: str, text: str, *, thread_ts: str | None = None) -> None:
        await self.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)

    async def _tolerant(self, call: Any) -> None:
        try:
            await call
        except SlackApiError as exc:
            if exc.response.get("error") not in _HARMLESS:
                raise
            log.debug("slack: %s (ignored)", exc.response.get("error"))
