"""Chain records and message links: round trip, step lookup, TTL, lookups from a fresh process."""

from __future__ import annotations

import asyncio
from typing import Any

from core.events import Step
from core.llm.types import Usage
from core.state import ChainRecord, ChainRecords, MessageLink, Store
from tests.core.state.chains import fake_chain
from tests.core.state.processes import Peer


async def _answered(chain_id: str) -> ChainRecord:
    steps = tuple([e async for e in fake_chain(chain_id, delay=0) if isinstance(e, Step)])
    return ChainRecord(
        chain_id=chain_id,
        question="Why is the sky blue?",
        asker="discord:7",
        place="discord:guild1",
        strategy="g1",
        model="m",
        status="answered",
        steps=steps,
        answer="Rayleigh scattering.",
        usage=Usage(prompt_tokens=60, completion_tokens=15, total_time=1.5),
    )


async def test_record_round_trip_and_update(parts: dict[str, Any]) -> None:
    records = ChainRecords(**parts)
    running = ChainRecord(chain_id="c1", question="q", asker="a", place="p", strategy="berry", model="m")
    assert await records.save(running)
    assert await records.get("c1") == running
    answered = await _answered("c1")
    await records.save(answered)
    assert await records.get("c1") == answered
    assert await records.get("missing") is None


async def test_message_links_find_their_step(parts: dict[str, Any]) -> None:
    records = ChainRecords(**parts)
    await records.save(await _answered("c2"))
    await records.link("discord:msg:1", chain_id="c2", step=2)
    await records.link("discord:msg:header", chain_id="c2", step=None)
    assert await records.resolve("discord:msg:1") == MessageLink("c2", 2)
    found = await records.find_step("discord:msg:1")
    assert found is not None
    record, step = found
    assert record.status == "answered"
    assert step is not None
    assert (step.index, step.title) == (2, "Step 2")
    header = await records.find_step("discord:msg:header")
    assert header is not None
    assert header[1] is None
    assert await records.find_step("discord:msg:unknown") is None


async def test_records_and_links_expire(store: Store, parts: dict[str, Any]) -> None:
    week = ChainRecords(**parts)
    await week.save(await _answered("c3"))
    assert 604_790_000 < await store.redis.pttl(store.keys.key("chain", "c3")) <= 604_800_000
    short = ChainRecords(**parts, ttl=0.2)
    await short.save(await _answered("c4"))
    await short.link("m4", chain_id="c4", step=1)
    await asyncio.sleep(0.3)
    assert await short.get("c4") is None
    assert await short.resolve("m4") is None


async def test_unreadable_records_are_misses(store: Store, parts: dict[str, Any]) -> None:
    await store.redis.set(store.keys.key("chain", "bad"), b'{"chain_id": "bad"}')
    await store.redis.set(store.keys.key("msg", "bad"), b"[]")
    records = ChainRecords(**parts)
    assert await records.get("bad") is None
    assert await records.resolve("bad") is None


async def test_lookup_from_a_fresh_process(real_store: Store, redis_url: str) -> None:
    records = ChainRecords(redis=real_store.redis, keys=real_store.keys, guard=real_store.guard)
    await records.save(await _answered("c5"))
    await records.link("slack:C1:1700000000.000100", chain_id="c5", step=3)
    peer = await Peer.start(redis_url, real_store, "lookup", "slack:C1:1700000000.000100")
    found = await peer.line()
    assert await peer.finish() == 0
    assert found["chain_id"] == "c5"
    assert found["status"] == "answered"
    assert found["answer"] == "Rayleigh scattering."
    assert found["step"]["index"] == 3
    assert found["step"]["content"] == "Thinking about part 3."
