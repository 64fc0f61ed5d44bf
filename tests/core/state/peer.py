"""The other OS process in cross-process tests: ``python -m tests.core.state.peer MODE URL PREFIX ARG``.

Prints one JSON object per line to stdout and flushes each, so the test can react to it live.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator

from core.chain_log import ChainLog
from core.codec import event_to_dict
from core.events import Event
from core.state import ChainRecords, MessageIndex, RedisConfig, SingleFlight, Store, connect
from tests.core.state.chains import fake_chain


def emit(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def _flights(store: Store, lease_ttl: float) -> SingleFlight:
    return SingleFlight(redis=store.redis, keys=store.keys, guard=store.guard, lease_ttl=lease_ttl, block=0.2)


async def follow(store: Store, digest: str, copies: int) -> None:
    """Ask the same question ``copies`` times at once; report every event seen and whether we ran the chain."""
    flights = _flights(store, lease_ttl=2.0)

    def produce() -> AsyncIterator[Event]:
        emit(produced=True)
        return fake_chain("peer-chain", delay=0.05)

    async def ask() -> list[dict[str, object]]:
        seen = []
        async for event in flights.run(digest, produce):
            seen.append(event_to_dict(event))
            if len(seen) == 1:
                emit(first=seen[0])
        return seen

    results = await asyncio.gather(*(ask() for _ in range(copies)))
    emit(done=results[0], identical=all(r == results[0] for r in results))
    await flights.aclose()


async def lead_and_hang(store: Store, digest: str) -> None:
    """Lead a chain that shows one step, then hangs until the test kills this process (no lease renewal can
    save it then: the lease expires ``lease_ttl`` after the kill)."""
    flights = _flights(store, lease_ttl=1.0)
    hang = asyncio.Event()
    async for event in flights.run(digest, lambda: fake_chain("doomed", steps=3, delay=0.0, gate=hang, gate_before=2)):
        emit(event=event_to_dict(event))


async def lookup(store: Store, message_id: str) -> None:
    parts = {"redis": store.redis, "keys": store.keys, "guard": store.guard}
    found = await ChainLog(records=ChainRecords(**parts), messages=MessageIndex(**parts)).find_message(message_id)
    if found is None:
        emit(found=None)
        return
    record, step = found
    emit(chain_id=record.chain_id, status=record.status, answer=record.answer, step=step and event_to_dict(step))


async def main(mode: str, url: str, prefix: str, arg: str) -> None:
    store = connect(RedisConfig(url=url, key_prefix=prefix))
    try:
        if mode == "follow":
            digest, copies = arg.split(",")
            await follow(store, digest, int(copies))
        elif mode == "lead-and-hang":
            await lead_and_hang(store, arg)
        elif mode == "lookup":
            await lookup(store, arg)
        else:
            raise SystemExit(f"unknown mode {mode}")
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
