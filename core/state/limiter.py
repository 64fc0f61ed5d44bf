"""GCRA rate limiter: one Lua script, one round trip, the server's clock, one small string per key.

A rate of ``limit/period`` admits a burst of ``limit`` requests, then one more every ``period / limit`` seconds
(the emission interval). The key stores only the theoretical arrival time (TAT, microseconds on the server's
clock) and expires when the bucket would be full again, so idle subjects cost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from core.state.guard import RedisGuard
from core.state.keys import Keys
from core.state.rates import Rate
from core.state.scripts import Script

__all__ = ["FAIL_CLOSED_RETRY_AFTER", "GCRA_LUA", "Decision", "RateLimiter"]

FAIL_CLOSED_RETRY_AFTER = 10.0
"""Seconds a fail-closed denial asks the user to wait while Redis is down."""

# Numbers are microseconds; integers below 2^53 stay exact in Lua's doubles, and string.format('%.0f') keeps
# them exact when stored (tostring would switch to %.14g and lose digits). The reply is ONE integer, the cheapest
# reply to parse: >= 0 means allowed with that many left, < 0 means denied, retry after -reply microseconds.
GCRA_LUA = """
local function gcra(key, interval, burst)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - burst * interval
  if now < allow_at then
    return -(allow_at - now)
  end
  redis.call('SET', key, string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
  return math.floor((now - allow_at) / interval)
end
"""
"""``gcra(key, interval, burst)``: count one request; >= 0 allowed with that many left, < 0 denied (see above).
Shared with the admission script (:mod:`core.state.intake`), so the rule is written once."""

_GCRA = GCRA_LUA + "return gcra(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))\n"


@dataclass(frozen=True, slots=True)
class Decision:
    """``retry_after`` is seconds until the next request would pass (0 when allowed); ``remaining`` how many more
    would pass right now. ``degraded`` marks a decision made without Redis (fail open or closed)."""

    allowed: bool
    retry_after: float = 0.0
    remaining: int = 0
    degraded: bool = False


class RateLimiter:
    """One rate for one scope (``user``, ``place``): ``await limiter.hit("discord:123")``."""

    def __init__(self, *, redis: Redis, keys: Keys, guard: RedisGuard, scope: str, rate: Rate) -> None:
        self.rate = rate
        self.scope = scope
        self._keys = keys
        self._guard = guard
        self._script = Script(redis=redis, source=_GCRA)
        self._args = (b"%d" % max(1, round(rate.interval * 1_000_000)), b"%d" % rate.limit)

    def key(self, subject: str) -> str:
        return self._keys.key("rate", self.scope, subject)

    @property
    def args(self) -> tuple[bytes, bytes]:
        """The GCRA's interval and burst, as the script takes them."""
        return self._args

    async def hit(self, subject: str) -> Decision:
        """Count one request by ``subject`` and say whether it may go ahead. A full Redis connection pool raises
        :class:`~core.state.guard.StoreBusyError` (admission refuses as busy) instead of deciding without Redis."""
        key = self.key(subject)
        reply = await self._guard.run(lambda: self._script([key], self._args), None, refuse_busy=True)
        return self.decide(reply)

    def decide(self, reply: int | None) -> Decision:
        """The decision for a GCRA reply, or for ``None`` (made without Redis: open or closed by setting)."""
        if reply is None:
            if self._guard.fail_open:
                return Decision(allowed=True, degraded=True)
            return Decision(allowed=False, retry_after=FAIL_CLOSED_RETRY_AFTER, degraded=True)
        if reply < 0:
            return Decision(allowed=False, retry_after=-reply / 1_000_000)
        return Decision(allowed=True, remaining=reply)
