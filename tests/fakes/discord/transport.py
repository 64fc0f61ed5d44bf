"""How gateway payloads go on the wire: JSON text, or zlib-stream (one shared zlib context, Z_SYNC_FLUSH)."""

from __future__ import annotations

import json
import zlib
from typing import Any

from aiohttp import web

__all__ = ["Transport", "UnsupportedTransportError"]


class UnsupportedTransportError(Exception):
    """The client asked for an encoding or compression the fake does not speak."""


class Transport:
    """Encodes payloads for one connection. ``compress`` is the ``compress`` query parameter, if any."""

    def __init__(self, *, encoding: str, compress: str | None) -> None:
        if encoding != "json":
            raise UnsupportedTransportError(f"encoding={encoding} (the fake speaks json only)")
        if compress not in (None, "zlib-stream"):
            raise UnsupportedTransportError(f"compress={compress} (the fake speaks zlib-stream or none)")
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None

    async def send(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        if self._zlib is None:
            await ws.send_str(text)
            return
        data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        await ws.send_bytes(data)
