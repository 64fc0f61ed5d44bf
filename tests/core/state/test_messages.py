"""Which message shows which steps, what an expansion added, which chains a thread answered: kept in Redis by the
core, read back in order, tolerant of old and broken entries, and linear in what it sends."""

from __future__ import annotations

from typing import Any

from core.chain_log import ChainLog
from core.state import ChainRecord, ChainRecords, MessageIndex, MessageLink, Store
from core.state.messages import THREAD_CHAINS


def _record(chain_id: str, *, answer: str | None) -> ChainRecord:
    return ChainRecord(
        chain_id=chain_id, question=f"question {chain_id}", asker="a", place="p", strategy="g1", model="m",
        status="answered" if answer else "failed", answer=answer,
    )  # fmt: skip


async def test_a_chains_messages_come_back_in_step_order(parts: dict[str, Any]) -> None:
    index = MessageIndex(**parts)
    await index.link("slack:C1:3", chain_id="c", steps=[4, 5, 6], location="T1")
    await index.link("slack:C1:9", chain_id="c", location="T1")  # the answer
    await index.link("slack:C1:1", chain_id="c", steps=[1], location="T1")
    await index.link("slack:C1:2", chain_id="c", steps=[2, 3], location="T1")
    await index.link("slack:C1:7", chain_id="other", steps=[1], location="T1")
    found = await index.chain_messages("c")
    assert [(m.message_id, m.steps, m.location) for m in found] == [
        ("slack:C1:1", (1,), "T1"),
        ("slack:C1:2", (2, 3), "T1"),
        ("slack:C1:3", (4, 5, 6), "T1"),
        ("slack:C1:9", (), "T1"),
    ]
    assert {m.chain_id for m in found} == {"c"}
    assert (found[1].step, found[3].step) == (2, None)


async def test_continuations_are_replaced_and_taken_once(parts: dict[str, Any]) -> None:
    index = MessageIndex(**parts)
    first = [MessageLink(chain_id="c", message_id=f"discord:{n}", location="5") for n in (11, 12)]
    await index.set_continuations("c", "discord:10", first)
    assert await index.take_continuations("c", "discord:10") == tuple(first)
    assert await index.take_continuations("c", "discord:10") == ()
    await index.set_continuations("c", "discord:10", first)
    await index.set_continuations("c", "discord:10", first[:1])
    assert await index.take_continuations("c", "discord:10") == tuple(first[:1])
    assert await index.chain_messages("c") == ()  # continuations are not messages of the chain


async def test_a_thread_gives_its_last_answered_chains_oldest_first(parts: dict[str, Any]) -> None:
    records, index = ChainRecords(**parts), MessageIndex(**parts)
    log = ChainLog(records=records, messages=index)
    for n in range(THREAD_CHAINS + 5):
        await index.add_thread_chain("slack:C1:100.1", f"c{n}")
    assert len(await index.thread_chains("slack:C1:100.1", limit=1000)) == THREAD_CHAINS
    assert await index.thread_chains("slack:C1:100.1", limit=2) == (f"c{THREAD_CHAINS + 3}", f"c{THREAD_CHAINS + 4}")
    assert await index.thread_chains("slack:C1:100.1", limit=0) == ()
    await records.save(_record("a", answer="A"))
    await records.save(_record("b", answer=None))
    await records.save(_record("d", answer="D"))
    for chain_id in ("a", "b", "gone", "d"):
        await log.link_thread("discord:thread:7", chain_id=chain_id)
    turns = await log.thread_turns("discord:thread:7", limit=4)
    assert [(t.question, t.answer) for t in turns] == [("question a", "A"), ("question d", "D")]
    assert [t.answer for t in await log.thread_turns("discord:thread:7", limit=1)] == ["D"]
    assert await log.thread_turns("discord:thread:unknown", limit=3) == ()


async def test_links_written_before_steps_were_kept_still_resolve(store: Store, parts: dict[str, Any]) -> None:
    await store.redis.set(store.keys.key("msg", "discord:1"), '{"chain_id": "c", "step": 3}')
    await store.redis.set(store.keys.key("msg", "discord:2"), '{"chain_id": "c", "step": null}')
    index = MessageIndex(**parts)
    assert await index.resolve("discord:1") == MessageLink(chain_id="c", message_id="discord:1", steps=(3,))
    assert await index.resolve("discord:2") == MessageLink(chain_id="c", message_id="discord:2")


async def test_a_thread_linked_like_a_message_still_gives_its_turn(store: Store, parts: dict[str, Any]) -> None:
    """Before threads were kept, Discord linked a thread to its last answered chain as if it were a message."""
    records = ChainRecords(**parts)
    log = ChainLog(records=records, messages=MessageIndex(**parts))
    await records.save(_record("old", answer="Old answer."))
    await store.redis.set(store.keys.key("msg", "discord:thread:9"), '{"chain_id": "old", "step": null}')
    assert [t.answer for t in await log.thread_turns("discord:thread:9", limit=1)] == ["Old answer."]
    await records.save(_record("new", answer="New answer."))
    await log.link_thread("discord:thread:9", chain_id="new")
    assert [t.answer for t in await log.thread_turns("discord:thread:9", limit=3)] == ["New answer."]


async def test_unreadable_entries_are_skipped(store: Store, parts: dict[str, Any]) -> None:
    index = MessageIndex(**parts)
    await index.link("m1", chain_id="c", steps=[1], location="L")
    posts = store.keys.key("posts", "c")
    await store.redis.hset(posts, mapping={"m:m2": "not json", "m:m3": '{"steps": ["x"]}', "c:m1": "[1]"})
    await store.redis.set(store.keys.key("msg", "m4"), '{"steps": [1]}')
    assert [m.message_id for m in await index.chain_messages("c")] == ["m1"]
    assert await index.take_continuations("c", "m1") == ()
    assert await index.resolve("m4") is None


async def _bytes_in(store: Store) -> int:
    return int((await store.redis.info("stats"))["total_net_input_bytes"])


async def test_what_a_chain_sends_grows_linearly_with_its_steps(real_store: Store) -> None:
    """Each link adds its own message; nothing a chain wrote before is sent again (a growing blob would be
    quadratic: 4x the steps, 16x the bytes)."""
    index = MessageIndex(redis=real_store.redis, keys=real_store.keys, guard=real_store.guard)

    async def chain_of(chain_id: str, steps: int) -> int:
        before = await _bytes_in(real_store)
        for n in range(1, steps + 1):
            await index.link(f"slack:C1:{n}.5", chain_id=chain_id, steps=[n], location="1700000000.000100")
        await index.link("slack:C1:answer", chain_id=chain_id, location="1700000000.000100")
        await index.add_thread_chain("slack:C1:1700000000.000100", chain_id)
        return await _bytes_in(real_store) - before

    small, large = await chain_of("small", 50), await chain_of("large", 200)
    assert 3.5 < large / small < 4.5
