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

__all__ = ["Context"]


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

    @property
    def resume_gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/gateway/resume/"

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/gateway/"
