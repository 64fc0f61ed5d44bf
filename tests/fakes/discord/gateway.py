"""The gateway websocket (v10): HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME with replay."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import WSMsgType, web

from .hub import Intent, Session
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
        session = self.ctx.hub.open_session(intents=int(data.get("intents", 0)), shard=data.get("shard"))
        self._attach(session, "identify")
        session.push("READY", self._ready(session))
        if session.has(Intent.GUILDS):
            for guild in list(self.ctx.world.guilds.values()):
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
        )
        self.ctx.recorder.add(self.ctx.recorder.connections, record)

    def _ready(self, session: Session) -> dict[str, Any]:
        world = self.ctx.world
        ready: dict[str, Any] = {
            "v": 10,
            "user": user_json(world.bot) | {"verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g), "unavailable": True} for g in world.guilds],
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
