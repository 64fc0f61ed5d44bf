"""Dedupe of redelivered events: lease, done marker, crash between the two, token checks."""

from __future__ import annotations

import asyncio
from typing import Any

from core.state import Deduper


async def test_a_redelivery_while_processing_is_refused(parts: dict[str, Any]) -> None:
    dedupe = Deduper(**parts)
    lease = await dedupe.claim("slack:T1:Ev1")
    assert lease is not None
    assert not lease.degraded
    assert await dedupe.claim("slack:T1:Ev1") is None
    assert await dedupe.claim("slack:T1:Ev2") is not None


async def test_a_redelivery_after_done_is_refused(parts: dict[str, Any]) -> None:
    dedupe = Deduper(**parts)
    lease = await dedupe.claim("ev")
    assert lease is not None
    assert await dedupe.done(lease)
    assert await dedupe.claim("ev") is None


async def test_a_crash_between_lease_and_done_lets_a_retry_process_it(parts: dict[str, Any]) -> None:
    dedupe = Deduper(**parts, lease_ttl=0.2)
    crashed = await dedupe.claim("ev")  # the process dies here: no done, no release
    assert crashed is not None
    assert await dedupe.claim("ev") is None
    await asyncio.sleep(0.3)
    retry = await dedupe.claim("ev")
    assert retry is not None
    assert not await dedupe.done(crashed)  # the stale holder cannot mark it done
    assert await dedupe.claim("ev") is None  # ...nor free it for a third copy
    assert await dedupe.done(retry)
    assert await dedupe.claim("ev") is None


async def test_release_gives_the_event_back(parts: dict[str, Any]) -> None:
    dedupe = Deduper(**parts)
    lease = await dedupe.claim("ev")
    assert lease is not None
    assert await dedupe.release(lease)
    again = await dedupe.claim("ev")
    assert again is not None
    assert not await dedupe.release(lease)  # the old token no longer holds it


async def test_fifty_concurrent_deliveries_give_one_lease(parts: dict[str, Any]) -> None:
    dedupe = Deduper(**parts)
    leases = await asyncio.gather(*(dedupe.claim("discord:resume:99") for _ in range(50)))
    assert sum(lease is not None for lease in leases) == 1


async def test_done_marker_expires(parts: dict[str, Any]) -> None:
    dedupe = Deduper(**parts, done_ttl=0.2)
    lease = await dedupe.claim("ev")
    assert lease is not None
    await dedupe.done(lease)
    assert await dedupe.claim("ev") is None
    await asyncio.sleep(0.3)
    assert await dedupe.claim("ev") is not None
