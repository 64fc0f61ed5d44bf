"""FakeDiscord: a local Discord (REST + gateway) for the real discord.py client. See the package docstring."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Self

from aiohttp import web

from .actions import Actions
from .app import build_app
from .bodies import DEFAULT_UPLOAD_LIMIT
from .commands import Commands
from .context import Context, Sharding
from .controls import Controls
from .hub import Hub
from .interactions import Interactions
from .ratelimits import RateLimiter, Rule
from .records import Recorder
from .snowflakes import Snowflakes
from .world import World

__all__ = ["FAKE_TOKEN", "FakeDiscord", "default_rules"]

FAKE_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDA.fake.discord-bot-token-for-tests"


def default_rules(*, limit: int, window: float) -> dict[str, Rule]:
    """Discord's published shape: ``limit`` messages per ``window`` per channel, reactions 1 per window/20."""
    per_channel, generous = Rule(limit, window), Rule(50, window)
    gets = ("users.me", "users.dm", "oauth2.application", "gateway", "guilds.get", "channels.get", "messages.get")
    rules = dict.fromkeys((*gets, "reactions.get"), generous)
    rules["guilds.members"] = generous
    rules |= dict.fromkeys(("commands.put", "commands.get", "interactions", "webhooks.get"), generous)
    rules |= dict.fromkeys(("messages.create", "messages.edit", "messages.delete", "threads", "webhooks"), per_channel)
    rules["reactions"] = Rule(1, window / 20)
    return rules


class FakeDiscord(Controls):
    """A fake Discord on 127.0.0.1 (port 0). ``async with FakeDiscord(...) as fake:`` starts and stops it."""

    def __init__(
        self,
        *,
        token: str = FAKE_TOKEN,
        bot_name: str = "Thinkbot",
        message_limit: int = 5,
        rate_window: float = 5.0,
        rate_limits: Mapping[str, Rule] | None = None,
        heartbeat_interval: float = 41.25,
        callback_deadline: float = 3.0,
        interaction_ttl: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        upload_limit: int = DEFAULT_UPLOAD_LIMIT,
        reply_delays: Mapping[str, float] | None = None,
        shards: int = 1,
        max_concurrency: int = 1,
        guilds_per_shard: int = 2500,
    ) -> None:
        """``upload_limit``: bytes one attached file may have. ``reply_delays``: seconds to hold the REST answer
        of a route bucket (``"messages.create"``) after its change is made and dispatched, like a slow network
        between Discord and the bot. ``shards`` and ``max_concurrency``: what ``GET /gateway/bot`` recommends and
        allows; ``guilds_per_shard``: more guilds on one session closes it with 4011 (see the gateway module)."""
        ids = Snowflakes()
        world = World(ids=ids, bot_name=bot_name)
        recorder = Recorder()
        hub = Hub()
        application_id = world.bot.id
        rules = default_rules(limit=message_limit, window=rate_window) | dict(rate_limits or {})
        ctx = Context(
            token=token,
            application_id=application_id,
            world=world,
            recorder=recorder,
            hub=hub,
            actions=Actions(world=world, recorder=recorder, hub=hub),
            commands=Commands(ids=ids, application_id=application_id),
            interactions=Interactions(clock=clock, callback_deadline=callback_deadline, token_ttl=interaction_ttl),
            limiter=RateLimiter(rules=rules, clock=clock),
            clock=clock,
            heartbeat_ms=int(heartbeat_interval * 1000),
            upload_limit=upload_limit,
            reply_delays=dict(reply_delays or {}),
            sharding=Sharding(recommended=shards, max_concurrency=max_concurrency, guilds_per_shard=guilds_per_shard),
        )
        super().__init__(ctx=ctx)
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        return f"<FakeDiscord {self.ctx.base_url or 'stopped'} bot={self.bot_id}>"

    async def start(self) -> None:
        self._runner = web.AppRunner(build_app(self.ctx), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.ctx.base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is None:
            return
        for socket in list(self.ctx.hub.connected):
            await socket.close(1001, "Going away")
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def token(self) -> str:
        return self.ctx.token

    @property
    def application_id(self) -> int:
        return self.ctx.application_id

    @property
    def bot_id(self) -> int:
        return self.ctx.world.bot.id

    @property
    def api_base(self) -> str:
        """The REST base to give discord.py (``http://127.0.0.1:PORT/api/v10``)."""
        return self.ctx.base_url + "/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.ctx.gateway_url

    @property
    def record(self) -> Recorder:
        return self.ctx.recorder

    @property
    def sharding(self) -> Sharding:
        """The shard count ``GET /gateway/bot`` recommends, its session start limit, the 4011 threshold (settable)."""
        return self.ctx.sharding
