"""The fake Slack: one aiohttp server on loopback with the Web API, Socket Mode and response URLs."""

from __future__ import annotations

import logging
from typing import Self

from aiohttp import web

from tests.fakes.slack.chat_methods import ChatMethods
from tests.fakes.slack.clock import IdMaker, TsClock
from tests.fakes.slack.other_methods import OtherMethods
from tests.fakes.slack.payloads import EventFactory
from tests.fakes.slack.ratelimit import METHOD_TIERS, ChannelRateLimiter, MethodRateLimiter
from tests.fakes.slack.record import SlackRecord
from tests.fakes.slack.response_urls import ResponseUrls
from tests.fakes.slack.signed_http import SignedPoster
from tests.fakes.slack.socket_mode import SocketModeServer
from tests.fakes.slack.status_method import StatusMethod
from tests.fakes.slack.stream_methods import StreamMethods, StreamRules
from tests.fakes.slack.user_actions import UserActions
from tests.fakes.slack.webapi import WebApi
from tests.fakes.slack.workspace import Workspace

__all__ = ["FakeSlack"]

log = logging.getLogger(__name__)


class FakeSlack:
    """Serve on ``127.0.0.1:0`` inside the running event loop (``async with FakeSlack() as slack``).

    ``post_interval``/``post_burst`` set the per-channel ``chat.postMessage`` limit (Slack: about 1 s, small bursts);
    ``latency`` delays every Web API answer; ``reply_delays`` holds back the answer of a method (``chat.postMessage``)
    after its change is made and visible. ``non_marketplace``: the history limits of a commercially distributed app
    outside the Marketplace (``conversations.replies``: 1 call a minute, 15 messages a page). ``streams``: which
    streams Slack refuses (:class:`~tests.fakes.slack.stream_methods.StreamRules`); ``method_limits``: calls per
    window of rate-tiered methods (default Slack's tiers for the stream methods); ``status_refusal``: the error every
    ``assistant.threads.setStatus`` gets (``None``: it is allowed; ``slack.status.refusal`` changes it later).
    Point clients at ``api_url``; read what users see in ``record``.
    """

    def __init__(
        self,
        *,
        workspace: Workspace | None = None,
        post_interval: float = 1.0,
        post_burst: int = 3,
        latency: float = 0.0,
        reply_delays: dict[str, float] | None = None,
        non_marketplace: bool = False,
        streams: StreamRules | None = None,
        method_limits: dict[str, tuple[int, float]] | None = None,
        status_refusal: str | None = None,
    ) -> None:
        self.workspace = workspace or Workspace()
        self.record = SlackRecord()
        self.clock = TsClock()
        self.response_urls = ResponseUrls(workspace=self.workspace, record=self.record, clock=self.clock)
        self.events = EventFactory(workspace=self.workspace, ids=IdMaker(), response_url=self.response_urls.url_for)
        self.users = UserActions(workspace=self.workspace, record=self.record, clock=self.clock, events=self.events)
        tiers = MethodRateLimiter(METHOD_TIERS if method_limits is None else method_limits)
        self.web = WebApi(
            workspace=self.workspace, record=self.record, latency=latency, reply_delays=reply_delays, tiers=tiers
        )
        self.socket = SocketModeServer(workspace=self.workspace, response_urls=self.response_urls)
        limiter = ChannelRateLimiter(interval=post_interval, burst=post_burst)
        ChatMethods(workspace=self.workspace, record=self.record, clock=self.clock, limiter=limiter).register(self.web)
        OtherMethods(workspace=self.workspace, record=self.record, non_marketplace=non_marketplace).register(self.web)
        StreamMethods(workspace=self.workspace, record=self.record, clock=self.clock, limiter=limiter,
                      rules=streams or StreamRules()).register(self.web)  # fmt: skip
        self.status = StatusMethod(record=self.record, clock=self.clock, refusal=status_refusal)
        self.status.register(self.web)
        self.web.add("apps.connections.open", self.socket.open_connection, auth="app")
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """For ``AsyncWebClient(base_url=...)``."""
        return f"{self.base_url}/api/"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.web.handle)
        app.router.add_get("/link/", self.socket.handle)
        app.router.add_post("/commands/{trigger_id}", self.response_urls.handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.socket.base = f"ws://127.0.0.1:{self.port}"
        self.response_urls.base = self.base_url
        log.debug("slack fake serving on port %d", self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self.socket.close_all()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def signed_poster(self, url: str) -> SignedPoster:
        """A poster that signs with this workspace's secret and records slash command acks."""
        return SignedPoster(url=url, signing_secret=self.workspace.signing_secret, response_urls=self.response_urls)
