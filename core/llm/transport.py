"""An httpx transport over one pooled ``aiohttp`` session, for the ``http_client`` the groq SDK accepts.

The groq SDK takes any ``httpx.AsyncClient`` as its ``http_client`` (its README: "Configuring the HTTP client",
and ``DefaultAioHttpClient`` for aiohttp), and httpx takes any ``httpx.AsyncBaseTransport`` as a client's
``transport``: this is that transport, doing only what the SDK's calls need.

- The request goes out as httpx built it: method, URL, every header (as bytes decoded latin-1, not through
  ``httpx.Headers``' per-item encoding guess) and the body httpx encoded; aiohttp adds nothing of its own beyond
  what it must (Host, and Accept-Encoding/User-Agent only where httpx set none). No redirects or decompression in
  aiohttp: httpx follows redirects and decodes ``Content-Encoding`` as it does over any transport.
- A reply is read whole here and handed to httpx as ``content`` (so httpx's read is a no-op), unless it is an
  event stream (``text/event-stream``, a streamed completion): that one is handed over as a stream, released when
  httpx closes it.
- Timeouts are httpx's, per request (``request.extensions["timeout"]``): connect and pool bound getting a
  connection, read bounds each wait for bytes (also while reading the body here); write has no aiohttp
  counterpart (a chat request's body goes straight into the socket's buffer).
- aiohttp's errors become httpx's (:func:`_httpx_error`), so the SDK sees the exceptions it expects from httpx:
  a timeout is an ``httpx.TimeoutException`` (the SDK's ``APITimeoutError``), anything else from sending an
  ``httpx.TransportError`` (its ``APIConnectionError``); both are retried under the SDK's policy.
- One ``aiohttp.ClientSession`` (one connection pool, ``max_connections`` at most, each connection kept alive for
  ``keepalive`` seconds between calls), made on first use inside the running loop and closed by ``aclose``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx

__all__ = ["AiohttpTransport"]

_EVENT_STREAM = b"text/event-stream"


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, max_connections: int = 100, keepalive: float = 5.0) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be 1 or more")
        self._max_connections = max_connections
        self._keepalive = keepalive
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=self._keepalive)
        self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        return self._session

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        """aiohttp's timeout for httpx's (built once per distinct setting: the SDK sends the same on every call)."""
        limits = request.extensions.get("timeout") or {}
        connect, read, pool = limits.get("connect"), limits.get("read"), limits.get("pool")
        key = (connect, read, pool)
        timeout = self._timeouts.get(key)
        if timeout is None:
            wait = None if connect is None or pool is None else connect + pool
            timeout = aiohttp.ClientTimeout(total=None, connect=wait, sock_connect=connect, sock_read=read)
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        headers = [(key.decode("latin-1"), value.decode("latin-1")) for key, value in request.headers.raw]
        try:
            body = request.content
        except httpx.RequestNotRead:  # a streamed upload (the SDK's file uploads; no chat call sends one)
            await request.aread()
            body = request.content
        try:
            reply = await session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=self._timeout(request),
            )
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise _httpx_error(exc, request) from exc
        extensions = {"http_version": b"HTTP/1.1", "reason_phrase": (reply.reason or "").encode("latin-1")}
        if _header(reply.raw_headers, b"content-type").startswith(_EVENT_STREAM):
            return httpx.Response(
                reply.status,
                headers=reply.raw_headers,
                stream=_ReplyStream(reply, request),
                request=request,
                extensions=extensions,
            )
        try:
            content = await reply.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise _httpx_error(exc, request) from exc
        finally:
            reply.release()
        return httpx.Response(
            reply.status, headers=reply.raw_headers, content=content, request=request, extensions=extensions
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def _header(raw: tuple[tuple[bytes, bytes], ...], name: bytes) -> bytes:
    """The first ``name`` header's value, lower-cased (b"" when absent)."""
    for key, value in raw:
        if key.lower() == name:
            return value.lower()
    return b""


class _ReplyStream(httpx.AsyncByteStream):
    """An event stream's body as it arrives; closing it gives the connection back (or drops a half-read one)."""

    def __init__(self, reply: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._reply = reply
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._reply.content.iter_any():
                yield chunk
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise _httpx_error(exc, self._request) from exc

    async def aclose(self) -> None:
        self._reply.release()


def _httpx_error(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception for an aiohttp (or socket) error: what httpx's own transport would raise there."""
    message = str(exc) or type(exc).__name__
    error: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        error = httpx.ConnectTimeout
    elif isinstance(exc, asyncio.TimeoutError):  # aiohttp's SocketTimeoutError, and any other wait that ran out
        error = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):
        error = httpx.ConnectError
    elif isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        error = httpx.RemoteProtocolError
    elif isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        error = httpx.UnsupportedProtocol
    else:
        error = httpx.ReadError
    return error(message, request=request)
