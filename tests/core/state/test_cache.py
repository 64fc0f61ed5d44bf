"""Result cache: key normalization and sensitivity, whole-chain round trip, TTL, replay labels."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step
from core.state import ResultCache, Store, as_cached, cache_key, normalize_question
from tests.core.state.chains import fake_chain

BASE = {"question": "Why is the sky blue?", "strategy": "g1", "model": "m", "prompt_version": "1"}


async def _chain(chain_id: str = "c1") -> list[Event]:
    return [event async for event in fake_chain(chain_id, delay=0)]


@pytest.mark.parametrize("variant", ["why is the sky blue?", "  WHY   is the\tsky\n blue?  ", "Why Is The Sky Blue?"])
def test_case_and_whitespace_do_not_change_the_key(variant: str) -> None:
    assert cache_key(**{**BASE, "question": variant}) == cache_key(**BASE)


def test_casefold_is_unicode_aware() -> None:
    assert normalize_question("  STRASSE \u00a0 gross ") == normalize_question("straße gross")


@pytest.mark.parametrize(
    "change",
    [
        {"question": "Why is the sky red?"},
        {"strategy": "berry"},
        {"model": "other"},
        {"prompt_version": "2"},
        {"options": {"temperature": 0.5}},
    ],
)
def test_everything_that_changes_the_answer_changes_the_key(change: dict[str, Any]) -> None:
    assert cache_key(**{**BASE, **change}) != cache_key(**BASE)


def test_option_order_does_not_matter() -> None:
    first = cache_key(**BASE, options={"a": 1, "b": [1, 2]})
    assert first == cache_key(**BASE, options={"b": [1, 2], "a": 1})
    assert len(first) == 64


async def test_round_trip_keeps_the_whole_chain(parts: dict[str, Any]) -> None:
    cache = ResultCache(**parts)
    events = await _chain()
    key = cache_key(**BASE)
    assert await cache.get(key) is None
    assert await cache.put(key, events)
    assert await cache.get(key) == tuple(events)


async def test_only_answered_chains_are_stored(parts: dict[str, Any]) -> None:
    cache = ResultCache(**parts)
    events = await _chain()
    failed = [*events[:2], ChainFailed("c1", "llm_timeout", "The model took too long.")]
    assert not await cache.put("k1", failed)
    assert not await cache.put("k2", events[:-1])
    assert not await cache.put("k3", [])
    assert await cache.get("k1") is None


async def test_entries_expire_after_the_ttl(store: Store, parts: dict[str, Any]) -> None:
    default = ResultCache(**parts)
    await default.put("day", await _chain())
    assert 86_390_000 < await store.redis.pttl(store.keys.key("cache", "day")) <= 86_400_000
    short = ResultCache(**parts, ttl=0.2)
    await short.put("short", await _chain())
    assert await short.get("short") is not None
    await asyncio.sleep(0.3)
    assert await short.get("short") is None


async def test_unreadable_entry_is_a_miss(store: Store, parts: dict[str, Any]) -> None:
    await store.redis.set(store.keys.key("cache", "bad"), b"{not json")
    await store.redis.set(store.keys.key("cache", "odd"), b'[{"type": "nope"}]')
    cache = ResultCache(**parts)
    assert await cache.get("bad") is None
    assert await cache.get("odd") is None


async def test_replay_is_relabelled_as_cached() -> None:
    replay = as_cached(await _chain("original"), chain_id="new")
    assert {e.chain_id for e in replay} == {"new"}
    assert all(e.cached for e in replay if isinstance(e, ChainStarted | Step | FinalAnswer))
    assert isinstance(replay[-1], FinalAnswer)
    assert replay[-1].text == "Rayleigh scattering."
