"""A reasoning worker in its own OS process, for tests/core/test_worker.py to kill mid-job:
``python -m tests.core.worker_peer URL PREFIX CONSUMER CLAIM_AFTER``.

Its handler prints ``{"started": entry id, "deliveries": n}`` (one JSON line, flushed), counts the run in Redis
(``<prefix>:test:runs``) and then never returns.
"""

from __future__ import annotations

import asyncio
import json
import sys

from core.state import RedisConfig, connect
from core.state.jobs import Job, JobQueue
from core.worker import Worker


async def main(url: str, prefix: str, consumer: str, claim_after: float) -> None:
    store = connect(RedisConfig(url=url, key_prefix=prefix))
    queue = JobQueue(redis=store.redis, keys=store.keys, guard=store.guard, claim_after=claim_after)

    async def hang(job: Job) -> None:
        await store.redis.incr(store.keys.key("test", "runs"))
        print(json.dumps({"started": job.entry_id, "deliveries": job.deliveries}), flush=True)
        await asyncio.Event().wait()

    async def give_up(job: Job) -> None:
        raise AssertionError("not expected")

    try:
        await Worker(queue=queue, handle=hang, give_up=give_up, consumer=consumer, block=0.1).run()
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])))
