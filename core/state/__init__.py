"""Shared state in Redis: cache, single-flight, rate limits, token budgets, chain records and messages, dedupe.

Build a :class:`Store` once (in ``bot/``), then the primitives from it; every primitive takes the same three
keyword arguments ``redis=store.redis, keys=store.keys, guard=store.guard``::

    store = connect(RedisConfig(url=settings.redis_url, key_prefix="thinkbot", ssl_cert_reqs="none"))
    per_user = RateLimiter(**parts, scope="user", rate=Rate.parse("5/10m"))
    decision = await per_user.hit(request.user)        # Decision(allowed, retry_after, remaining, degraded)
    budget = TokenBudget(**parts, daily_tokens=200_000)
    status = await budget.check(request.place)          # BudgetStatus(allowed, used, limit, resets_at, ...)
    await budget.add(request.place, usage.total_tokens)
    cache = ResultCache(**parts, ttl=24 * 3600)
    key = cache_key(question=q, strategy="g1", model=m, prompt_version="1", options={...})
    events = await cache.get(key)                       # tuple of events, or None; replay as_cached(events, ...)
    await cache.put(key, events)                        # only chains ending in FinalAnswer are stored
    flights = SingleFlight(**parts)
    async for event in flights.run(key, lambda: engine.run(request)): ...
    records = ChainRecords(**parts, ttl=7 * 24 * 3600)
    await records.save(ChainRecord(...)); record = await records.get(chain_id)
    messages = MessageIndex(**parts, ttl=7 * 24 * 3600)
    await messages.link(message_id, chain_id=cid, steps=(3, 4), location=channel)
    link = await messages.resolve(message_id)           # MessageLink(chain_id, message_id, steps, location) or None
    every = await messages.chain_messages(cid)          # the chain's messages, by first step
    dedupe = Deduper(**parts)
    lease = await dedupe.claim("slack:T01:Ev123")       # None: done already, or being processed elsewhere
    await dedupe.done(lease)
    stops = StopChannel(**parts); stops.start(service.cancel)
    result = await stops.request(chain_id)          # "stopped" by the process running it, "not_running", ...
    await store.close()

where ``parts = {"redis": store.redis, "keys": store.keys, "guard": store.guard}``.

Without a URL the store is embedded (fakeredis in this process, same Lua and code paths, one warning line). The
:class:`RedisGuard` makes all of it survive a Redis outage: see :mod:`core.state.guard`. The per-process
concurrency cap lives in :mod:`core.concurrency`.
"""

from __future__ import annotations

from core.state.budget import BudgetStatus, TokenBudget, next_utc_midnight
from core.state.cache import ResultCache, as_cached, cache_key, normalize_question
from core.state.connection import RedisConfig, Store, connect, connection_kwargs, redacted_url
from core.state.dedupe import Deduper, Lease
from core.state.guard import RedisGuard, StoreUnavailableError
from core.state.keys import Keys
from core.state.limiter import Decision, RateLimiter
from core.state.messages import MessageIndex, MessageLink
from core.state.place_settings import PlaceSettingsStore
from core.state.rates import Rate
from core.state.records import ChainRecord, ChainRecords, ChainStatus
from core.state.singleflight import FLIGHT_LOST, SingleFlight
from core.state.stops import StopChannel, StopResult

__all__ = [
    "FLIGHT_LOST",
    "BudgetStatus",
    "ChainRecord",
    "ChainRecords",
    "ChainStatus",
    "Decision",
    "Deduper",
    "Keys",
    "Lease",
    "MessageIndex",
    "MessageLink",
    "PlaceSettingsStore",
    "Rate",
    "RateLimiter",
    "RedisConfig",
    "RedisGuard",
    "ResultCache",
    "SingleFlight",
    "StopChannel",
    "StopResult",
    "Store",
    "StoreUnavailableError",
    "TokenBudget",
    "as_cached",
    "cache_key",
    "connect",
    "connection_kwargs",
    "next_utc_midnight",
    "normalize_question",
    "redacted_url",
]
