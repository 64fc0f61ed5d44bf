"""Socket Mode: ``apps.connections.open`` tickets, the websocket with ``hello``, envelopes, acks and redelivery."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

from tests.fakes.slack.models import Ack
from tests.fakes.slack.params import Call
from tests.fakes.slack.response_urls import ResponseUrls
from tests.fakes.slack.waiting import ChangeNotifier
from tests.fakes.slack.workspace import Workspace

__all__ = ["Envelope", "SocketModeServer"]

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(slots=True)
class Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    deliveries: int = 0

    def frame(self, retry_reason: str) -> dict[str, Any]:
        body: dict[str, Any] = {"envelope_id": self.envelope_id, "payload": self.payload, "type": self.type}
        body["accepts_response_payload"] = self.type == "slash_commands"
        if self.type == "events_api":
            body["retry_attempt"] = self.deliveries - 1
            body["retry_reason"] = retry_reason
        return body


class SocketModeServer:
    """Test-side API: ``deliver_event``/``deliver_command``/``deliver_interactive`` to the newest connection,
    ``wait_ack``, ``redeliver``, ``disconnect``. Every coroutine here runs on the fake's own event loop."""

    def __init__(self, *, workspace: Workspace, response_urls: ResponseUrls, connect_timeout: float = 5.0) -> None:
        self._ws = workspace
        self._response_urls = response_urls
        self._connect_timeout = connect_timeout
        self._changes = ChangeNotifier()
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._envelopes: dict[str, Envelope] = {}
        self.base = ""
        self.connections_opened = 0
        self.acks: list[Ack] = []
        self.sent: list[dict[str, Any]] = []

    async def open_connection(self, call: Call) -> dict[str, Any]:
        """``apps.connections.open``: a one-use websocket URL on this fake."""
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        return {"url": f"{self.base}/link/?ticket={ticket}&app_id={self._ws.app_id}"}

    @property
    def open_connections(self) -> int:
        return sum(1 for s in self._sockets if not s.closed)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            raise web.HTTPUnauthorized(text="invalid or used ticket")
        self._tickets.discard(ticket)
        sock = web.WebSocketResponse(autoping=True)
        await sock.prepare(request)
        self._sockets.append(sock)
        self.connections_opened += 1
        await self._send(sock, self._hello())
        self._changes.notify()
        try:
            async for msg in sock:
                if msg.type == WSMsgType.TEXT:
                    self._on_text(msg.data)
        finally:
            self._sockets.remove(sock)
            self._changes.notify()
        return sock

    async def deliver_event(self, payload: dict[str, Any]) -> str:
        """Send an ``events_api`` envelope holding an ``event_callback`` body; returns its envelope id."""
        return await self._deliver(Envelope(str(uuid.uuid4()), "events_api", payload), "")

    async def deliver_command(self, payload: dict[str, str]) -> str:
        """Send a ``slash_commands`` envelope holding the command's fields; returns its envelope id."""
        return await self._deliver(Envelope(str(uuid.uuid4()), "slash_commands", dict(payload)), "")

    async def deliver_interactive(self, payload: dict[str, Any]) -> str:
        """Send an ``interactive`` envelope (a shortcut's or a button's payload); returns its envelope id. Slack
        expects its ack within 3 s and does not send it again."""
        return await self._deliver(Envelope(str(uuid.uuid4()), "interactive", dict(payload)), "")

    async def redeliver(self, envelope_id: str, *, reason: str = "timeout") -> None:
        """Send an unacked events_api envelope again with the next ``retry_attempt`` and ``reason``, as Slack does."""
        envelope = self._envelopes[envelope_id]
        if envelope.type != "events_api":
            raise ValueError("Slack redelivers events_api envelopes only")
        if self.ack_for(envelope_id) is not None:
            raise ValueError("envelope already acknowledged")
        await self._deliver(envelope, reason)

    def ack_for(self, envelope_id: str) -> Ack | None:
        return next((a for a in self.acks if a.envelope_id == envelope_id), None)

    async def wait_ack(self, envelope_id: str, *, timeout: float = 5.0) -> Ack:  # noqa: ASYNC109
        return await self._changes.wait_until(
            lambda: self.ack_for(envelope_id), timeout=timeout, what=lambda: f"an ack of {envelope_id}"
        )

    async def wait_for(
        self,
        check: Callable[[], T | None],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - our TimeoutError names what never arrived
        what: str = "a Socket Mode condition",
    ) -> T:
        """Return ``check()``'s first truthy result, re-checked whenever a connection, ack or close happens."""
        return await self._changes.wait_until(check, timeout=timeout, what=lambda: what)

    async def wait_connected(self, *, opened: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``opened`` connections have been made in all and one is open now."""

        def ready() -> bool:
            return self.connections_opened >= opened and self.open_connections > 0

        await self._changes.wait_until(ready, timeout=timeout, what=lambda: f"{opened} Socket Mode connection(s)")

    async def disconnect(self, *, reason: str = "refresh_requested") -> None:
        """Ask every open connection to reconnect (Slack's ``disconnect`` message); the sockets stay open."""
        frame = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        for sock in list(self._sockets):
            await self._send(sock, frame)

    async def close_all(self) -> None:
        for sock in list(self._sockets):
            await sock.close()

    async def _deliver(self, envelope: Envelope, reason: str) -> str:
        await self.wait_connected(timeout=self._connect_timeout)
        self._envelopes[envelope.envelope_id] = envelope
        envelope.deliveries += 1
        await self._send(self._sockets[-1], envelope.frame(reason))
        return envelope.envelope_id

    async def _send(self, sock: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        self.sent.append(frame)
        await sock.send_str(json.dumps(frame))

    def _on_text(self, data: str) -> None:
        try:
            body = json.loads(data)
            envelope = self._envelopes[body["envelope_id"]]
        except (ValueError, KeyError, TypeError):
            log.warning("slack fake: unexpected Socket Mode frame of %d chars", len(data))
            return
        payload = body.get("payload")
        self.acks.append(Ack(envelope.envelope_id, payload, attempt=envelope.deliveries - 1))
        if envelope.type == "slash_commands" and isinstance(payload, dict):
            self._response_urls.ephemeral_from_ack(envelope.payload.get("trigger_id", ""), payload)
        self._changes.notify()

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": self.open_connections,
            "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self._ws.app_id},
        }
