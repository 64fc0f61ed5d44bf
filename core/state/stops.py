"""Stop from anywhere: a stop asked in one process reaches the process running the chain, over Redis pub/sub.

Every process subscribes once to ``<prefix>:control:stop``, through a small pool of its own (one connection listens,
one publishes requests and answers), so a busy shared pool never deafens it; nothing is kept per chain. A process
asked to stop a chain it does not run publishes ``{"op": "stop", "chain": ..., "ask": ...}`` there, after the asker's
right to stop was checked where they asked; the process running that chain stops it exactly as a local stop does and
answers ``{"op": "stopped", ...}`` with the same ``ask``, so the asking process learns it worked. A process acts only
on a chain it runs itself; everything else on the channel, including anything malformed, is ignored.

When Redis goes away the listener logs ONE warning, reconnects every ``retry_interval`` seconds without further
lines and logs ONE info line once it listens again; while it cannot listen, a remote stop answers ``unreachable``.
Without Redis (the embedded store, one process) there is no channel and stopping stays local.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Literal

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from core.state.guard import OUTAGE_ERRORS, RedisGuard, StoreUnavailableError, describe, raise_if_cancelled
from core.state.keys import Keys

__all__ = ["StopChannel", "StopResult"]

log = logging.getLogger(__name__)

StopResult = Literal["stopped", "not_running", "unreachable"]
"""``stopped``: the process running the chain stopped it; ``not_running``: no process runs it (it ended, or never
ran); ``unreachable``: the other processes could not be asked (Redis is unreachable)."""

_LISTEN_ERRORS: tuple[type[BaseException], ...] = (*OUTAGE_ERRORS, RedisError)
_CHAIN_ID = re.compile(r"[0-9a-f]{1,32}")
_ASK = re.compile(r"[0-9a-f]{16}")


class StopChannel:
    """``start(cancel)`` once the service exists (``cancel(chain_id)`` stops a chain running here: ``True`` if it
    did); ``await request(chain_id)`` for a chain not running here; ``await aclose()`` on shutdown.

    ``ack_wait``: how long a request waits for the running process's answer (well inside Discord's 3 s for an
    interaction); ``read_timeout``: the longest one read of the subscription blocks.
    """

    def __init__(
        self,
        *,
        redis: Redis,
        keys: Keys,
        guard: RedisGuard,
        ack_wait: float = 1.5,
        retry_interval: float = 1.0,
        read_timeout: float = 1.0,
    ) -> None:
        self._own = Redis.from_pool(_own_pool(redis))
        self._guard = guard
        self._channel = keys.key("control", "stop")
        self._ack_wait = ack_wait
        self._retry_interval = retry_interval
        self._read_timeout = read_timeout
        self._pending: dict[str, asyncio.Future[None]] = {}
        self._cancel: Callable[[str], bool] | None = None
        self._also: dict[str, Callable[[str], None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    @property
    def listening(self) -> bool:
        """Whether stop requests published now reach this process."""
        return self._subscribed.is_set()

    async def until_listening(self) -> None:
        await self._subscribed.wait()

    def start(self, cancel: Callable[[str], bool], *, also: Mapping[str, Callable[[str], None]] | None = None) -> None:
        """Listen; ``also`` maps other control channels (full key names) to what to call with each message's text,
        so one subscription serves them too (e.g. a place's settings changed: forget what was read)."""
        if self._task is not None:
            raise RuntimeError("the stop channel is already started")
        self._cancel = cancel
        self._also = dict(also or {})
        self._task = asyncio.create_task(self._listen(), name="stop-channel")

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._subscribed.clear()
        with contextlib.suppress(*OUTAGE_ERRORS):
            await self._own.aclose()

    async def request(self, chain_id: str) -> StopResult:
        """Ask every process to stop ``chain_id``; whether the one running it did, within ``ack_wait``."""
        if not self.listening:
            return "unreachable"  # the answer could not reach us
        ask = secrets.token_hex(8)
        answered = asyncio.get_running_loop().create_future()
        self._pending[ask] = answered
        message = json.dumps({"op": "stop", "chain": chain_id, "ask": ask})
        try:
            receivers = await self._guard.call(partial(self._own.publish, self._channel, message))
            if receivers <= 1:  # only this process listens, and it does not run the chain
                return "not_running"
            async with asyncio.timeout(self._ack_wait):
                await answered
            return "stopped"
        except StoreUnavailableError:
            return "unreachable"
        except TimeoutError:
            return "not_running"
        finally:
            del self._pending[ask]

    async def _listen(self) -> None:
        lost_at: float | None = None
        while True:
            pubsub = self._own.pubsub()
            try:
                await pubsub.subscribe(self._channel, *self._also)
                while True:
                    # redis-py can swallow a cancellation that lands while it connects or reads (see
                    # raise_if_cancelled); honour it here, or aclose() would wait for this loop forever.
                    raise_if_cancelled(None)
                    message = await pubsub.get_message(timeout=self._read_timeout)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self._subscribed.set()
                        if lost_at is not None:
                            log.info(
                                "Stop requests from other processes are heard again after %.1f s",
                                time.monotonic() - lost_at,
                            )
                            lost_at = None
                    elif message["type"] == "message":
                        await self._dispatch(message["channel"], message["data"])
            except _LISTEN_ERRORS as exc:  # an outage, or e.g. a refused SUBSCRIBE: retried alike
                raise_if_cancelled(exc)  # redis-py may turn our own cancellation into a dropped connection
                if lost_at is None:
                    lost_at = time.monotonic()
                    log.warning(
                        "Stop requests from other processes are not heard until Redis returns (%s)",
                        describe(exc),
                    )
            finally:
                self._subscribed.clear()
                await _close(pubsub)
            await asyncio.sleep(self._retry_interval)

    async def _dispatch(self, channel: Any, data: Any) -> None:
        name = channel.decode() if isinstance(channel, bytes) else str(channel)
        handler = self._also.get(name)
        if handler is None:
            await self._receive(data)
        elif isinstance(data, bytes | str):
            handler(data.decode(errors="replace") if isinstance(data, bytes) else data)

    async def _receive(self, data: Any) -> None:
        parsed = _parse(data)
        if parsed is None:
            return
        op, chain_id, ask = parsed
        if op == "stopped":
            answered = self._pending.get(ask)
            if answered is not None and not answered.done():
                answered.set_result(None)
        elif op == "stop" and ask not in self._pending and self._cancel is not None and self._cancel(chain_id):
            log.info("stopped chain %s at a request from another process", chain_id)
            reply = json.dumps({"op": "stopped", "chain": chain_id, "ask": ask})
            await self._guard.run(partial(self._own.publish, self._channel, reply), None)


def _parse(data: Any) -> tuple[str, str, str] | None:
    """``(op, chain, ask)`` of a well-formed control message, else ``None``."""
    try:
        message = json.loads(data)
    except (TypeError, ValueError):
        return None
    if not isinstance(message, dict):
        return None
    op, chain_id, ask = message.get("op"), message.get("chain"), message.get("ask")
    if op not in ("stop", "stopped") or not isinstance(chain_id, str) or not isinstance(ask, str):
        return None
    if not _CHAIN_ID.fullmatch(chain_id) or not _ASK.fullmatch(ask):
        return None
    return op, chain_id, ask


def _own_pool(redis: Redis) -> BlockingConnectionPool:
    """Two connections (the subscription; requests and answers, one at a time) to the server ``redis`` talks to,
    with the same settings (TLS, timeouts, retry)."""
    shared = redis.connection_pool
    return BlockingConnectionPool(
        connection_class=shared.connection_class,
        max_connections=2,
        timeout=getattr(shared, "timeout", 5.0),
        **shared.connection_kwargs,
    )


async def _close(pubsub: PubSub) -> None:
    with contextlib.suppress(*OUTAGE_ERRORS):
        await pubsub.aclose()  # type: ignore[no-untyped-call]
