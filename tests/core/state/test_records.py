"""Chain records and message links: round trip, step lookup, TTL, lookups from a fresh process."""

from __future__ import annotations

import asyncio
from typing import Any

from core.chain_log import ChainLog
from core.events import Step
from core.llm.types import Usage
from core.state import ChainRecord, ChainRecords, MessageIndex, MessageLink, Store
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
    records, messages = ChainRecords(**parts), MessageIndex(**parts)
    log = ChainLog(records=records, messages=messages)
    await records.save(await _answered("c2"))
    await messages.link("discord:msg:1", chain_id="c2", steps=[2, 3], location="42")
    await messages.link("discord:msg:header", chain_id="c2")
    link = MessageLink(chain_id="c2", message_id="discord:msg:1", steps=(2, 3), location="42")
    assert await messages.resolve("discord:msg:1") == link
    found = await log.find_message("discord:msg:1")
    assert found is not None
    record, step = found
    assert record.status == "answered"
    assert step is not None
    assert (step.index, step.title) == (2, "Step 2")
    header = await log.find_message("discord:msg:header")
    assert header is not None
    assert header[1] is None
    assert await log.find_message("discord:msg:unknown") is None


async def test_records_and_links_expire(store: Store, parts: dict[str, Any]) -> None:
    week = ChainRecords(**parts)
    await week.save(await _answered("c3"))
    assert 604_790_000 < await store.redis.pttl(store.keys.key("chain", "c3")) <= 604_800_000
    short, links = ChainRecords(**parts, ttl=0.2), MessageIndex(**parts, ttl=0.2)
    await short.save(await _answered("c4"))
    await links.link("m4", chain_id="c4", steps=[1], location="t")
    await links.set_continuations("c4", "m4", [MessageLink(chain_id="c4", message_id="m5")])
    await links.add_thread_chain("t", "c4")
    await asyncio.sleep(0.3)
    assert await short.get("c4") is None
    assert await links.resolve("m4") is None
    assert await links.chain_messages("c4") == ()
    assert await links.take_continuations("c4", "m4") == ()
    assert await links.thread_chains("t", limit=5) == ()


async def test_unreadable_records_are_misses(store: Store, parts: dict[str, Any]) -> None:
    await store.redis.set(store.keys.key("chain", "bad"), b'{"chain_id": "bad"}')
    await store.redis.set(store.keys.key("msg", "bad"), b"[]")
    assert await ChainRecords(**parts).get("bad") is None
    assert await MessageIndex(**parts).resolve("bad") is None


async def test_lookup_from_a_fresh_process(real_store: Store, redis_url: str) -> None:
    parts = {"redis": real_store.redis, "keys": real_store.keys, "guard": real_store.guard}
    await ChainRecords(**parts).save(await _answered("c5"))
    await MessageIndex(**parts).link("slack:C1:1700000000.000100", chain_id="c5", steps=[3])
    peer = await Peer.start(redis_url, real_store, "lookup", "slack:C1:1700000000.000100")
    found = await peer.line()
    assert await peer.finish() == 0
    assert found["chain_id"] == "c5"
    assert found["status"] == "answered"
    assert found["answer"] == "Rayleigh scattering."
    assert found["step"]["index"] == 3
    assert found["step"]["content"] == "Thinking about part 3."
