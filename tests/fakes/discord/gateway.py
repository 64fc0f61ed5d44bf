"""The gateway websocket (v10): HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME with replay.

Shards, as Discord's Gateway docs describe them ("Sharding", "Get Gateway Bot", "Gateway Close Event Codes", and the
Identify payload's ``shard`` field): IDENTIFY may carry ``shard: [shard_id, num_shards]``, two integers with
``0 <= shard_id < num_shards``; anything else closes the connection with 4010 Invalid shard. A session whose shard
would hold more than ``Sharding.guilds_per_shard`` guilds (Discord: 2500; no ``shard`` counts as ``[0, 1]``) is
closed with 4011 Sharding required. READY lists, and GUILD_CREATE follows for, only the guilds of the session's
shard (``(guild_id >> 22) % num_shards == shard_id``); see :mod:`.hub` for the events after that. Several sessions
may share a ``[shard_id, num_shards]``, as on Discord. Each IDENTIFY uses one of the day's session starts
(``GET /gateway/bot``'s ``session_start_limit.remaining``), counted, not enforced; identify pacing by
``max_concurrency`` is the client's to keep and is not checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import WSMsgType, web

from .hub import Intent, Session, on_shard
from .payloads import guild_create_json, member_json, user_json
from .records import GatewayConnection
from .transport import Transport, UnsupportedTransportError

if TYPE_CHECKING:
    from .context import Context

__all__ = ["GatewaySocket", "serve_gateway"]

log = logging.getLogger(__name__)

HELLO, HEARTBEAT, IDENTIFY, RESUME, MEMBERS, RECONNECT, INVALID_SESSION, HEARTBEAT_ACK = 10, 1, 2, 6, 8, 7, 9, 11


async def serve_gateway(ctx: Context, request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(max_msg_size=0)
    await ws.prepare(request)
    try:
        transport = Transport(encoding=request.query.get("encoding", "json"), compress=request.query.get("compress"))
    except UnsupportedTransportError as exc:
        log.error("gateway connection refused: %s", exc)
        await ws.close(code=4000, message=str(exc).encode()[:120])
        return ws
    socket = GatewaySocket(ctx=ctx, ws=ws, transport=transport, request=request)
    ctx.hub.connected.append(socket)
    try:
        await socket.run()
    finally:
        ctx.hub.connected.remove(socket)
        socket.detach()
    return ws


class GatewaySocket:
    """One websocket connection; an identified or resumed session sends through its outbox."""

    def __init__(self, *, ctx: Context, ws: web.WebSocketResponse, transport: Transport, request: web.Request) -> None:
        self.ctx = ctx
        self.ws = ws
        self.transport = transport
        self.request = request
        self.session: Session | None = None
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def run(self) -> None:
        writer = asyncio.create_task(self._write())
        self.outbox.put_nowait({"op": HELLO, "d": {"heartbeat_interval": self.ctx.heartbeat_ms}, "s": None, "t": None})
        try:
            async for message in self.ws:
                if message.type is not WSMsgType.TEXT:
                    await self.close(4002, "Decode error")
                    break
                await self._receive(json.loads(message.data))
        finally:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer

    async def _write(self) -> None:
        while True:
            payload = await self.outbox.get()
            if self.ws.closed:
                return
            await self.transport.send(self.ws, payload)

    def detach(self) -> None:
        if self.session is not None and self.session.outbox is self.outbox:
            self.session.outbox = None

    def send_op(self, op: int, data: Any = None) -> None:
        self.outbox.put_nowait({"op": op, "d": data, "s": None, "t": None})

    async def close(self, code: int, reason: str) -> None:
        """Close with a gateway close code (4000 "Unknown error" lets the client resume)."""
        await self.ws.close(code=code, message=reason.encode())

    def abort(self) -> None:
        """Drop the TCP connection without a close frame, like a network failure."""
        if self.request.transport is not None:
            self.request.transport.abort()

    async def _receive(self, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d") or {}
        if op == HEARTBEAT:
            self.send_op(HEARTBEAT_ACK)
        elif op == IDENTIFY:
            await self._identify(data)
        elif op == RESUME:
            await self._resume(data)
        elif self.session is None:
            await self.close(4003, "Not authenticated.")
        elif op == MEMBERS:
            self._send_members(data)
        elif op not in (3, 4):
            await self.close(4001, "Unknown opcode.")

    async def _identify(self, data: dict[str, Any]) -> None:
        if data.get("token") != self.ctx.token:
            await self.close(4004, "Authentication failed.")
            return
        if self.session is not None:
            await self.close(4005, "Already authenticated.")
            return
        shard = data.get("shard")
        if shard is not None and not _valid_shard(shard):
            await self.close(4010, "Invalid shard.")
            return
        guilds = [g for g in self.ctx.world.guilds.values() if on_shard(g.id, shard)]
        if len(guilds) > self.ctx.sharding.guilds_per_shard:
            await self.close(4011, "Sharding required.")
            return
        self.ctx.sharding.remaining = max(0, self.ctx.sharding.remaining - 1)
        session = self.ctx.hub.open_session(intents=int(data.get("intents", 0)), shard=shard)
        self._attach(session, "identify")
        session.push("READY", self._ready(session, [g.id for g in guilds]))
        if session.has(Intent.GUILDS):
            for guild in guilds:
                session.push("GUILD_CREATE", guild_create_json(self.ctx.world, guild))

    async def _resume(self, data: dict[str, Any]) -> None:
        session = self.ctx.hub.sessions.get(str(data.get("session_id")))
        if data.get("token") != self.ctx.token or session is None:
            self.send_op(INVALID_SESSION, False)
            return
        for payload in session.replay_after(int(data.get("seq") or 0)):
            self.outbox.put_nowait(payload)
        self._attach(session, "resume")
        session.push("RESUMED", {})

    def _attach(self, session: Session, how: Literal["identify", "resume"]) -> None:
        self.session = session
        session.outbox = self.outbox
        record = GatewayConnection(
            path=self.request.path,
            encoding=self.request.query.get("encoding", "json"),
            compress=self.request.query.get("compress"),
            opened_with=how,
            session_id=session.id,
            shard=(session.shard[0], session.shard[1]) if session.shard is not None else None,
        )
        self.ctx.recorder.add(self.ctx.recorder.connections, record)

    def _ready(self, session: Session, guild_ids: list[int]) -> dict[str, Any]:
        world = self.ctx.world
        ready: dict[str, Any] = {
            "v": 10,
            "user": user_json(world.bot) | {"verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.ctx.resume_gateway_url,
            "application": {"id": str(self.ctx.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        return ready

    def _send_members(self, data: dict[str, Any]) -> None:
        assert self.session is not None
        world = self.ctx.world
        guild = world.guilds.get(int(data.get("guild_id", 0)))
        members = [member_json(world, guild, uid) for uid in guild.members] if guild else []
        chunk = {"guild_id": str(data.get("guild_id")), "members": members, "chunk_index": 0, "chunk_count": 1}
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        self.session.push("GUILD_MEMBERS_CHUNK", chunk)


def _valid_shard(shard: object) -> bool:
    """``[shard_id, num_shards]``: two integers (not booleans), ``0 <= shard_id < num_shards``."""
    if not isinstance(shard, list) or len(shard) != 2:
        return False
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in shard):
        return False
    shard_id, num_shards = shard
    return 0 <= shard_id < num_shards
