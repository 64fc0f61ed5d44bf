"""The bolt ``AsyncApp`` with Thinkbot's listeners, built from a service and options; nothing happens at import.

Listeners return at once (bolt acks events itself; ``/think`` acks first): each question runs as a task of this
object, so shutting down cancels running chains cleanly through the service.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.chat.followup import earlier_turns
from adapters.chat.pacing import ChannelPacer, Pace
from adapters.chat.presenter import Presenter
from adapters.slack.admin import SlackAdmin
from adapters.slack.admins import Admins
from adapters.slack.http import events_app
from adapters.slack.options import SlackOptions
from adapters.slack.poster import Poster
from adapters.slack.reactions import Reactions
from adapters.slack.refusals import Refusals
from adapters.slack.retries import retry_handlers
from adapters.slack.shortcuts import SHORTCUT_ID, shortcut_listener
from adapters.slack.status import ThreadStatus
from adapters.slack.stream_surface import StreamSurface
from adapters.slack.surface import Respond, SlackSurface
from adapters.slack.triggers import Ask, from_command, from_dm, from_mention, message_id, place_id, user_id
from adapters.slack.usergroups import UserGroups
from core.port import ThinkPort
from core.request import ThinkRequest, Turn
from core.toggles import Toggles

__all__ = ["SlackBot", "web_client"]

log = logging.getLogger(__name__)


def web_client(
    *,
    token: str,
    base_url: str | None,
    options: SlackOptions,
    session: aiohttp.ClientSession | None = None,
    on_rate_limited: Callable[[], None] | None = None,
) -> AsyncWebClient:
    """The real slack_sdk client, retrying 429s (after ``Retry-After``), 5xx and dropped connections.

    Give it a ``session`` (closed by the caller) to reuse connections; without one each call opens its own.
    ``on_rate_limited`` is called for every 429 Slack answers (for metrics).
    """
    client = AsyncWebClient(token=token, base_url=base_url or AsyncWebClient.BASE_URL, session=session)
    client.retry_handlers = retry_handlers(max_retries=options.max_retries, on_rate_limited=on_rate_limited)
    return client


class SlackBot:
    """``bot.app`` is the bolt app to serve (Socket Mode or HTTP); ``await bot.aclose()`` stops running chains.
    ``toggles`` rate-limits expand/collapse reactions (``bot.wiring.build_toggles``)."""

    def __init__(
        self,
        *,
        service: ThinkPort,
        client: AsyncWebClient,
        options: SlackOptions,
        toggles: Toggles,
        signing_secret: str | None = None,
    ) -> None:
        self._service = service
        self._options = options
        pacer = ChannelPacer[str](pace=Pace(posts=1, per=options.post_interval))
        self.poster = Poster(client=client, pacer=pacer)
        self._reactions = Reactions(service=service, poster=self.poster, options=options, toggles=toggles)
        self._streams_refused = Refusals(retry_after=options.refusal_memory)
        self._statuses_refused = Refusals(retry_after=options.refusal_memory)
        self._groups = UserGroups(client=client)
        self._admin = SlackAdmin(
            service=service,
            admins=Admins(client=client),
            extra_admins=options.admin_users,
            default_strategy=options.default_strategy,
            budget_cap=options.budget_cap,
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self._signing_secret = signing_secret or ""
        self.app = AsyncApp(client=client, signing_secret=self._signing_secret)
        self._register(self.app)

    def web_app(self, *, path: str) -> web.Application:
        """HTTP mode: the app served at ``path``, checking each request's signature before reading its body."""
        return events_app(self.app, signing_secret=self._signing_secret, path=path)

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks))

    async def wait_idle(self) -> None:
        """Wait until no question is being answered (tests, graceful shutdown)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    def _register(self, app: AsyncApp) -> None:
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.event("reaction_added")(self._on_reaction_added)
        app.event("reaction_removed")(self._on_reaction_removed)
        app.command("/think")(self._on_command)
        app.command("/thinkbot")(self._on_admin)
        app.shortcut(SHORTCUT_ID)(shortcut_listener(self._spawn, self._answer))  # "Think about this message"

    async def _on_mention(self, body: dict[str, Any], context: dict[str, Any]) -> None:
        ask = from_mention(body, bot_user_id=context.get("bot_user_id"))
        if ask is not None:
            self._spawn(self._answer(ask))

    async def _on_message(self, body: dict[str, Any], context: dict[str, Any]) -> None:
        ask = from_dm(body, bot_user_id=context.get("bot_user_id"))
        if ask is not None:
            self._spawn(self._answer(ask))

    async def _on_reaction_added(self, body: dict[str, Any], context: dict[str, Any]) -> None:
        self._spawn(self._reactions.handle(body, added=True, bot_user_id=context.get("bot_user_id")))

    async def _on_reaction_removed(self, body: dict[str, Any], context: dict[str, Any]) -> None:
        self._spawn(self._reactions.handle(body, added=False, bot_user_id=context.get("bot_user_id")))

    async def _on_command(self, ack: Callable[..., Awaitable[Any]], command: dict[str, Any], respond: Any) -> None:
        await ack()

        async def tell(text: str) -> object:
            return await respond(text=text, response_type="ephemeral")

        self._spawn(self._answer(from_command(command), respond=tell))

    async def _on_admin(self, ack: Callable[..., Awaitable[Any]], command: dict[str, Any], respond: Any) -> None:
        await ack()

        async def reply() -> None:
            await respond(text=await self._admin.handle(command), response_type="ephemeral")

        self._spawn(reply())

    async def _answer(self, ask: Ask, respond: Respond | None = None) -> None:
        history: tuple[Turn, ...] | None = None
        if ask.follow_up and ask.thread_ts:  # the chains answered in this thread, from their records
            thread = message_id(ask.channel, ask.thread_ts)
            history = await earlier_turns(self._service, thread, turns=self._options.history_turns)
        place = place_id(ask.team_id)
        settings = await self._service.place_settings(place)  # the workspace's display, and whom it answers
        request = ThinkRequest(
            question=ask.question,
            user=user_id(ask.team_id, ask.user),
            place=place,
            history=history or (),
            delivery_key=ask.delivery_key,
            channel=ask.channel,
            roles=await self._groups.of(ask.team_id, ask.user) if settings.roles else (),
        )
        options = self._options
        layout, stream = options.shown_as(settings.display)
        status = ThreadStatus(poster=self.poster, ask=ask, refused=self._statuses_refused)
        posts = SlackSurface(poster=self.poster, options=options, ask=ask, respond=respond, status=status)
        surface: SlackSurface | StreamSurface = posts
        if stream:
            surface = StreamSurface(posts=posts, poster=self.poster, ask=ask, expand=options.expand_reaction,
                                    refused=self._streams_refused)  # fmt: skip
        presenter: Presenter[Any] = Presenter(
            service=self._service,
            surface=surface,
            asker=request.user,
            thread_messages=options.thread_messages,
            layout=layout,
        )
        await presenter.run(request)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("slack: a listener task failed")
