"""Single-flight: one chain per question across tasks, instances and OS processes, followed live."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from core.codec import event_to_dict
from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step
from core.state import FLIGHT_LOST, SingleFlight, Store
from core.state.flights import FlightStore
from tests.core.state.chains import fake_chain
from tests.core.state.processes import Peer


def _flights(parts: dict[str, Any], **options: float) -> SingleFlight:
    return SingleFlight(**parts, **{"lease_ttl": 1.0, "block": 0.1, **options})


class Counted:
    """A ``produce`` callable that counts how often a chain was started."""

    def __init__(self, chain_id: str, **chain: Any) -> None:
        self.runs = 0
        self._chain_id = chain_id
        self._chain = chain

    def __call__(self) -> AsyncIterator[Event]:
        self.runs += 1
        return fake_chain(self._chain_id, **self._chain)


async def _collect(flights: SingleFlight, digest: str, produce: Callable[[], AsyncIterator[Event]]) -> list[Event]:
    return [event async for event in flights.run(digest, produce)]


async def test_fifty_identical_questions_run_one_chain(parts: dict[str, Any]) -> None:
    flights = _flights(parts)
    produce = Counted("c1")
    results = await asyncio.gather(*(_collect(flights, "q1", produce) for _ in range(50)))
    assert produce.runs == 1
    assert all(r == results[0] for r in results)
    assert [type(e) for e in results[0]] == [ChainStarted, Step, Step, Step, FinalAnswer]
    await flights.aclose()


async def test_a_second_instance_follows_live(parts: dict[str, Any]) -> None:
    """Two SingleFlight objects share only Redis, like two processes; the follower sees events before the end."""
    leader, follower = _flights(parts), _flights(parts)
    gate = asyncio.Event()
    lead_produce, follow_produce = Counted("c2", gate=gate), Counted("unused")
    lead_task = asyncio.create_task(_collect(leader, "q2", lead_produce))
    await asyncio.sleep(0.05)
    events = follower.run("q2", follow_produce)
    first = await asyncio.wait_for(anext(events), 2)
    assert isinstance(first, ChainStarted)
    assert not lead_task.done()  # the chain is held at the gate: this event arrived live
    gate.set()
    rest = [event async for event in events]
    assert [first, *rest] == await lead_task
    assert (lead_produce.runs, follow_produce.runs) == (1, 0)
    assert all(e.chain_id == "c2" for e in rest)


async def test_follower_takes_over_when_the_leader_died_silently(parts: dict[str, Any]) -> None:
    dead = FlightStore(redis=parts["redis"], keys=parts["keys"], lease_ttl=0.3, stream_ttl=5, block=0.1)
    won, _token = await dead.acquire("q3")
    assert won  # ...and this "leader" never publishes nor renews
    produce = Counted("taken-over")
    events = await asyncio.wait_for(_collect(_flights(parts), "q3", produce), 5)
    assert produce.runs == 1
    assert isinstance(events[-1], FinalAnswer)
    assert events[-1].chain_id == "taken-over"


async def test_follower_that_showed_steps_gets_a_clear_failure(parts: dict[str, Any]) -> None:
    dead = FlightStore(redis=parts["redis"], keys=parts["keys"], lease_ttl=0.3, stream_ttl=5, block=0.1)
    _, token = await dead.acquire("q4")
    assert token is not None
    shown = [e async for e in fake_chain("dying", steps=1)][:2]
    for event in shown:
        await dead.publish("q4", token, event)
    produce = Counted("unused")
    events = await asyncio.wait_for(_collect(_flights(parts), "q4", produce), 5)
    assert produce.runs == 0
    assert events[:2] == shown
    failure = events[-1]
    assert isinstance(failure, ChainFailed)
    assert (failure.kind, failure.chain_id, failure.steps) == (FLIGHT_LOST, "dying", (shown[1],))
    assert "ask again" in failure.message


async def test_a_chain_that_raises_ends_everyone_with_a_failure(parts: dict[str, Any]) -> None:
    gate = asyncio.Event()

    async def broken() -> AsyncIterator[Event]:
        yield ChainStarted("c5", "q", "g1", "m")
        await gate.wait()
        raise RuntimeError("bug in the chain")

    leader, follower = _flights(parts), _flights(parts)
    lead_task = asyncio.create_task(_collect(leader, "q5", broken))
    await asyncio.sleep(0.05)
    follow_task = asyncio.create_task(_collect(follower, "q5", Counted("unused")))
    await asyncio.sleep(0.05)
    gate.set()
    led, followed = await lead_task, await follow_task
    assert led == followed
    assert isinstance(led[-1], ChainFailed)
    assert (led[-1].kind, led[-1].chain_id) == ("internal", "c5")


async def test_nobody_watching_nothing_is_streamed(store: Store, parts: dict[str, Any]) -> None:
    flights = _flights(parts)
    await _collect(flights, "q7", Counted("c7"))
    assert [key async for key in store.redis.scan_iter(match=store.keys.key("flight", "q7*"))] == []


async def test_stream_expires_after_the_end_and_the_next_flight_is_new(store: Store, parts: dict[str, Any]) -> None:
    flights = _flights(parts, stream_ttl=30.0)
    produce = Counted("c6")
    watch = store.keys.key("flight", "q6", "watch")
    await store.redis.set(watch, "1", px=60_000)  # a follower elsewhere marked the question watched
    await _collect(flights, "q6", produce)
    assert await store.redis.exists(store.keys.key("flight", "q6")) == 0  # lease released
    await store.redis.delete(watch)
    streams = [key async for key in store.redis.scan_iter(match=store.keys.key("flight", "q6", "*"))]
    assert len(streams) == 1
    assert 0 < await store.redis.pttl(streams[0]) <= 30_000
    await _collect(flights, "q6", produce)
    assert produce.runs == 2


async def test_two_processes_run_one_chain(real_store: Store, redis_url: str) -> None:
    """Fifty askers here and fifty in another OS process: one chain, and the other process follows it live."""
    parts = {"redis": real_store.redis, "keys": real_store.keys, "guard": real_store.guard}
    flights, gate = _flights(parts), asyncio.Event()
    produce = Counted("cross", gate=gate)
    local = asyncio.gather(*(_collect(flights, "q7", produce) for _ in range(50)))
    await asyncio.sleep(0.05)
    peer = await Peer.start(redis_url, real_store, "follow", "q7,50")
    try:
        first, before = await peer.wait_for("first")
        assert first["first"]["type"] == "chain_started"
        gate.set()  # the chain was held until the other process had seen its first event
        done, between = await peer.wait_for("done")
        assert await peer.finish() == 0
    finally:
        peer.kill()
    ours = await local
    assert produce.runs == 1
    assert not any("produced" in line for line in [*before, *between])
    assert done["identical"]
    assert done["done"] == [event_to_dict(e) for e in ours[0]]
    await flights.aclose()


async def test_leader_process_killed_mid_chain(real_store: Store, redis_url: str) -> None:
    parts = {"redis": real_store.redis, "keys": real_store.keys, "guard": real_store.guard}
    peer = await Peer.start(redis_url, real_store, "lead-and-hang", "q8")
    try:
        await peer.wait_for("event")
        step, _ = await peer.wait_for("event")
        assert step["event"]["type"] == "step"
        follower = asyncio.create_task(_collect(_flights(parts), "q8", Counted("unused")))
        await asyncio.sleep(0.2)
        peer.kill()
        events = await asyncio.wait_for(follower, 5)
    finally:
        peer.kill()
    assert [type(e) for e in events] == [ChainStarted, Step, ChainFailed]
    assert isinstance(events[-1], ChainFailed)
    assert events[-1].kind == FLIGHT_LOST


def test_block_must_be_shorter_than_the_socket_timeout(real_store: Store) -> None:
    parts = {"redis": real_store.redis, "keys": real_store.keys, "guard": real_store.guard}
    with pytest.raises(ValueError, match="socket timeout"):
        SingleFlight(**parts, block=5.0)  # the store's socket timeout is 5 s
