"""A request's way in, in ONE round trip: dedupe, both rate limits, the budget, the cache, the flight lease, the record.

One Lua script, so the order of the checks holds as it did when each was its own call:

1. the delivery is claimed (a redelivery, or one being answered elsewhere, stops here: ``duplicate``);
2. the asker's rate limit is counted; the place's only for an asker within theirs (neither for a request that
   is not limited: the local user of ``thinkbot ask``);
3. the place's token budget for today is read;
4. a refused request marks its delivery done (a redelivery is not answered either) and stops;
5. the cache is read (unless the request asks for a fresh run): a hit stops here, with the stored events;
6. the single-flight lease is taken, or its holder's token returned (a follower, who also marks the flight
   watched, so its leader publishes), unless told not to;
7. the record's head is written, status ``running``, so a reaction finds the chain from its first message;
8. the place's counts for today go up (questions, cache hits, chains per strategy), for ``/thinkbot usage``.

Every key belongs to one of the primitives (:mod:`core.state.dedupe`, :mod:`~core.state.limiter`,
:mod:`~core.state.budget`, :mod:`~core.state.cache`, :mod:`~core.state.flights`, :mod:`~core.state.records`), which
also name them; the rate limit's rule is the limiter's own Lua function. Without Redis the reply is ``degraded``:
each part as its primitive decides without Redis (limits open or closed by setting, no cache, a degraded lease). A
full connection pool raises :class:`~core.state.guard.StoreBusyError` for the caller to refuse the request as busy.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from redis.asyncio import Redis

from core.events import Event
from core.places import PlaceUsage
from core.state.budget import BudgetStatus, TokenBudget
from core.state.cache import ResultCache
from core.state.dedupe import Deduper, Lease
from core.state.flights import Claim, FlightStore
from core.state.guard import RedisGuard, StoreBusyError, StoreUnavailableError
from core.state.keys import Keys
from core.state.limiter import GCRA_LUA, Decision, RateLimiter
from core.state.records import ChainRecord, ChainRecords
from core.state.scripts import Script

__all__ = ["Intake", "IntakeReply", "Outcome"]

Outcome = Literal["duplicate", "user", "place", "budget", "hit", "go", "degraded"]

_INTAKE = (
    GCRA_LUA
    + """
local function refuse(outcome, user, place, used)
  if ARGV[1] ~= '' then
    redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
    redis.call('DEL', KEYS[1])
  end
  return {outcome, user, place, used, '', 0, ''}
end
local function count(field)
  redis.call('HINCRBY', KEYS[10], 'questions', 1)
  redis.call('HINCRBY', KEYS[10], field, 1)
  redis.call('EXPIRE', KEYS[10], 172800)
end
if ARGV[1] ~= '' then
  if redis.call('EXISTS', KEYS[2]) == 1 then return {'duplicate', 0, 0, 0, '', 0, ''} end
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'duplicate', 0, 0, 0, '', 0, ''} end
end
local user, place = 0, 0
if ARGV[15] == '1' then
  user = gcra(KEYS[3], tonumber(ARGV[4]), tonumber(ARGV[5]))
  if user < 0 then return refuse('user', user, 0, 0) end
  place = gcra(KEYS[4], tonumber(ARGV[6]), tonumber(ARGV[7]))
end
local used = 0
if ARGV[8] ~= '0' then used = tonumber(redis.call('GET', KEYS[5]) or '0') end
if place < 0 then return refuse('place', user, place, used) end
if ARGV[8] ~= '0' and used >= tonumber(ARGV[8]) then return refuse('budget', user, place, used) end
if ARGV[9] == '1' then
  local cached = redis.call('GET', KEYS[6])
  if cached then
    count('cache_hits')
    return {'hit', user, place, used, cached, 0, ''}
  end
end
local lead, holder = 0, ''
if ARGV[10] ~= '' then
  if redis.call('SET', KEYS[7], ARGV[10], 'NX', 'PX', ARGV[11]) then
    lead, holder = 1, ARGV[10]
  else
    holder = redis.call('GET', KEYS[7]) or ''
    if holder ~= '' then redis.call('SET', KEYS[9], '1', 'PX', ARGV[11]) end
  end
end
redis.call('SET', KEYS[8], ARGV[12], 'PX', ARGV[13])
count('s:' .. ARGV[14])
return {'go', user, place, used, '', lead, holder}
"""
)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class IntakeReply:
    """What the script found. ``place`` and ``budget`` are ``None`` where it did not get that far (or there is no
    budget); ``cached`` holds a hit's events; ``claim`` the flight lease's outcome when one was asked for."""

    outcome: Outcome
    user: Decision
    place: Decision | None = None
    budget: BudgetStatus | None = None
    cached: tuple[Event, ...] | None = None
    claim: Claim | None = None
    lease: Lease | None = None


class Intake:
    """``await intake.admit(...)``: an :class:`IntakeReply`."""

    def __init__(
        self,
        *,
        redis: Redis,
        keys: Keys,
        guard: RedisGuard,
        per_user: RateLimiter,
        per_place: RateLimiter,
        budget: TokenBudget | None,
        dedupe: Deduper,
        cache: ResultCache,
        flights: FlightStore,
        records: ChainRecords,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._guard = guard
        self._script = Script(redis=redis, source=_INTAKE)
        self._per_user = per_user
        self._per_place = per_place
        self._budget = budget
        self._dedupe = dedupe
        self._cache = cache
        self._flights = flights
        self._records = records

    async def admit(
        self,
        *,
        record: ChainRecord,
        delivery_key: str | None,
        cache_key: str | None,
        flight: str | None,
        daily_tokens: int | None = None,
        limited: bool = True,
    ) -> IntakeReply:
        """Admit the request ``record`` describes. ``delivery_key``: dedupe it; ``cache_key``: read the cache
        (``None`` for a fresh run); ``flight``: the digest whose lease to take (``None``: leave it); ``daily_tokens``:
        the place's own budget instead of the deployment's (only where there is a budget); ``limited=False``: skip
        both rate limits (the budget still applies)."""
        token = secrets.token_hex(16) if delivery_key else ""
        lease_key, done_key = self._dedupe.pair(delivery_key or "-")
        budget_key, resets_at = self._budget.today(record.place) if self._budget else ("-", None)
        flight_token = secrets.token_hex(12) if flight else ""
        keys: Sequence[str] = (
            lease_key,
            done_key,
            self._per_user.key(record.asker),
            self._per_place.key(record.place),
            budget_key,
            self._cache.key_name(cache_key or "-"),
            self._flights.lease_key(flight or "-"),
            self._records.head_key(record.chain_id),
            self._flights.watch_key(flight or "-"),
            self.usage_key(record.place, resets_at),
        )
        args: Sequence[str | bytes | int] = (
            token,
            self._dedupe.lease_ms,
            self._dedupe.done_ms,
            *self._per_user.args,
            *self._per_place.args,
            (daily_tokens or self._budget.daily_tokens) if self._budget else 0,
            1 if cache_key else 0,
            flight_token,
            self._flights.lease_ms,
            record.head_json(),
            self._records.ttl_ms,
            record.strategy,
            1 if limited else 0,
        )
        try:
            reply = await self._guard.call(lambda: self._script(keys, args))
        except StoreBusyError:
            raise
        except StoreUnavailableError:
            return self._degraded(record, delivery_key, token, resets_at, limited=limited)
        outcome, user, place, used, cached, lead, holder = reply
        name: Outcome = _text(outcome)  # type: ignore[assignment]  # the script returns one of them
        if name == "duplicate":
            return IntakeReply(outcome=name, user=Decision(allowed=True))
        budget = None
        if self._budget is not None and resets_at is not None and name != "user":
            budget = self._budget.status(int(used), resets_at, limit=daily_tokens)
        return IntakeReply(
            outcome=name,
            user=self._per_user.decide(int(user)),
            place=None if name == "user" else self._per_place.decide(int(place)),
            budget=budget,
            cached=self._cache.decode(cached, cache_key or "") if name == "hit" else None,
            claim=Claim(lead=bool(lead), token=_text(holder) or None) if flight and name == "go" else None,
            lease=Lease(delivery_key, token) if delivery_key and name in ("hit", "go") else None,
        )

    async def usage(self, place: str, *, daily_tokens: int | None = None) -> PlaceUsage:
        """Today's (UTC) counts for ``place``; zeros while Redis is down."""
        budget_key, resets_at = self._budget.today(place) if self._budget else ("-", None)
        key = self.usage_key(place, resets_at)

        async def read() -> tuple[Any, Any]:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(budget_key)
                pipe.hgetall(key)
                tokens, counts = await pipe.execute()
            return tokens, counts

        nothing: tuple[Any, Any] = (None, {})
        tokens, counts = await self._guard.run(read, nothing)
        fields = {_text(k): int(v) for k, v in (counts or {}).items()}
        strategies = {k[2:]: v for k, v in fields.items() if k.startswith("s:")}
        limit = (daily_tokens or self._budget.daily_tokens) if self._budget else None
        return PlaceUsage(
            tokens=int(tokens or 0),
            token_limit=limit,
            questions=fields.get("questions", 0),
            cache_hits=fields.get("cache_hits", 0),
            strategies=dict(sorted(strategies.items(), key=lambda kv: -kv[1])),
        )

    def usage_key(self, place: str, resets_at: datetime | None = None) -> str:
        """Today's counts for ``place`` (a hash: questions, cache_hits, s:<strategy> chains run), kept 2 days."""
        day = (resets_at - timedelta(days=1)).date() if resets_at else datetime.now(UTC).date()
        return self._keys.key("usage", place, day.isoformat())

    def _degraded(
        self, record: ChainRecord, delivery_key: str | None, token: str, resets_at: datetime | None, *, limited: bool
    ) -> IntakeReply:
        status = None
        if self._budget is not None and resets_at is not None:
            status = BudgetStatus(self._guard.fail_open, 0, self._budget.daily_tokens, resets_at, degraded=True)
        return IntakeReply(
            outcome="degraded",
            user=self._per_user.decide(None) if limited else Decision(allowed=True, degraded=True),
            place=self._per_place.decide(None) if limited else Decision(allowed=True, degraded=True),
            budget=status,
            lease=Lease(delivery_key, token, degraded=True) if delivery_key else None,
        )
