"""Everything the fake's handlers share, built once per fake."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .actions import Actions
from .commands import Commands
from .hub import Hub
from .interactions import Interactions
from .ratelimits import RateLimiter
from .records import Recorder
from .world import World

__all__ = ["Context", "Sharding"]


@dataclass(slots=True)
class Sharding:
    """What ``GET /gateway/bot`` answers and IDENTIFY enforces (see the gateway module)."""

    recommended: int = 1  # ``shards``: the count Discord recommends
    max_concurrency: int = 1  # IDENTIFYs allowed per 5 seconds, one per rate limit key (shard_id % max_concurrency)
    guilds_per_shard: int = 2500  # more on one session: closed with 4011 Sharding required
    total: int = 1000  # session starts a day
    remaining: int = 1000  # one fewer at each IDENTIFY


@dataclass(slots=True)
class Context:
    token: str = field(repr=False)
    application_id: int
    world: World
    recorder: Recorder
    hub: Hub
    actions: Actions
    commands: Commands
    interactions: Interactions
    limiter: RateLimiter
    clock: Callable[[], float]
    heartbeat_ms: int
    base_url: str = ""
    upload_limit: int = 10 * 1024 * 1024
    reply_delays: dict[str, float] = field(default_factory=dict)
    sharding: Sharding = field(default_factory=Sharding)

    @property
    def resume_gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/gateway/resume/"

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/gateway/"
