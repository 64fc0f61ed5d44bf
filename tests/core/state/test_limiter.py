"""GCRA limiter: rate parsing, exact admission under concurrency, retry-after, key expiry."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.errors import ConfigError
from core.state import Rate, RateLimiter, Store


@pytest.mark.parametrize(
    ("text", "limit", "period"),
    [("5/10m", 5, 600), ("30/1h", 30, 3600), ("1/s", 1, 1), ("100/day", 100, 86400), (" 2 / 1.5 h ", 2, 5400)],
)
def test_rates_parse(text: str, limit: int, period: float) -> None:
    assert Rate.parse(text) == Rate(limit=limit, period=period)


@pytest.mark.parametrize("text", ["", "5", "5/", "0/1m", "five/1m", "5/10x", "-1/1m", "5/0s"])
def test_bad_rates_are_config_errors(text: str) -> None:
    with pytest.raises(ConfigError):
        Rate.parse(text)


def _limiter(parts: dict[str, Any], rate: str, scope: str = "user") -> RateLimiter:
    return RateLimiter(**parts, scope=scope, rate=Rate.parse(rate))


async def test_fifty_concurrent_clients_get_exactly_the_burst(parts: dict[str, Any]) -> None:
    limiter = _limiter(parts, "10/1h")

    async def client() -> list[bool]:
        return [(await limiter.hit("discord:42")).allowed for _ in range(4)]

    results = await asyncio.gather(*(client() for _ in range(50)))
    assert sum(sum(r) for r in results) == 10
    denial = await limiter.hit("discord:42")
    assert not denial.allowed
    assert 359 < denial.retry_after <= 360  # one emission interval: 3600 s / 10
    assert (await limiter.hit("discord:43")).allowed  # another subject has its own bucket


async def test_scopes_do_not_share_buckets(parts: dict[str, Any]) -> None:
    user, place = _limiter(parts, "1/1h", "user"), _limiter(parts, "1/1h", "place")
    assert (await user.hit("x")).allowed
    assert (await place.hit("x")).allowed
    assert not (await user.hit("x")).allowed


async def test_remaining_counts_down_and_retry_after_grows(parts: dict[str, Any]) -> None:
    limiter = _limiter(parts, "3/30s")
    decisions = [await limiter.hit("u") for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    assert 9.9 < decisions[3].retry_after <= 10.0  # denials do not push the bucket further back
    assert decisions[4].retry_after <= decisions[3].retry_after
    assert not any(d.degraded for d in decisions)


async def test_admissions_follow_the_sustained_rate(store: Store, parts: dict[str, Any]) -> None:
    """Hammered by 50 clients for ~0.8 s, a burst of 5 refilling one per 100 ms never admits more than
    burst + elapsed / interval (server clock). The floor is loose: a loaded machine may leave slots unused."""
    limiter = _limiter(parts, "5/0.5s")
    stop = asyncio.Event()
    admitted = 0

    async def client() -> None:
        nonlocal admitted
        while not stop.is_set():
            if (await limiter.hit("hammer")).allowed:
                admitted += 1
            await asyncio.sleep(0)

    start = await _server_seconds(store)
    tasks = [asyncio.create_task(client()) for _ in range(50)]
    await asyncio.sleep(0.8)
    stop.set()
    await asyncio.gather(*tasks)
    elapsed = await _server_seconds(store) - start
    ceiling = 5 + int(elapsed / 0.1)
    assert ceiling // 2 <= admitted <= ceiling


async def _server_seconds(store: Store) -> float:
    seconds, micros = await store.redis.time()
    return float(seconds) + micros / 1_000_000


async def test_key_expires_when_the_bucket_is_full_again(store: Store, parts: dict[str, Any]) -> None:
    limiter = _limiter(parts, "2/10s")
    await limiter.hit("u")
    await limiter.hit("u")
    ttl_ms = await store.redis.pttl(store.keys.key("rate", "user", "u"))
    assert 9_000 < ttl_ms <= 10_000
    assert await store.redis.type(store.keys.key("rate", "user", "u")) == b"string"


async def test_a_slot_frees_after_one_interval(parts: dict[str, Any]) -> None:
    limiter = _limiter(parts, "2/0.4s")
    assert (await limiter.hit("u")).allowed
    assert (await limiter.hit("u")).allowed
    denied = await limiter.hit("u")
    assert not denied.allowed
    await asyncio.sleep(denied.retry_after + 0.01)
    assert (await limiter.hit("u")).allowed
    assert not (await limiter.hit("u")).allowed
