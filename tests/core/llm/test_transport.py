"""core.llm.transport: httpx over one pooled aiohttp session, as the groq SDK's ``http_client`` transport.

Against a small aiohttp server on 127.0.0.1 (what each test needs: a slow reply, a dropped connection, an event
stream) and the fake Groq (the request GroqClient sends is the one the SDK's own aiohttp client sends).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import groq
import httpx
import pytest
from aiohttp import web

from core.llm.transport import AiohttpTransport
from tests.core.llm.sample import MakeGroq, ask
from tests.fakes.groq_server import FakeGroq

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Serve = Callable[[Handler], Awaitable[str]]  # a handler for every path; the server's base URL


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


def client(**options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=AiohttpTransport(**options), timeout=2.0)


async def test_a_request_goes_out_as_httpx_built_it(serve: Serve) -> None:
    seen: list[tuple[str, str, dict[str, str], bytes]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.method, request.path_qs, dict(request.headers), await request.read()))
        return web.json_response({"ok": True}, headers={"x-reply": "1"}, reason="Fine")

    base = await serve(handler)
    async with client() as http:
        response = await http.post(f"{base}/a/b?c=d", content=b'{"x": 1}', headers={"Authorization": "Bearer k"})

    assert (response.status_code, response.json(), response.headers["x-reply"]) == (200, {"ok": True}, "1")
    assert response.reason_phrase == "Fine"
    [(method, path, headers, body)] = seen
    assert (method, path, body) == ("POST", "/a/b?c=d", b'{"x": 1}')
    assert headers["Authorization"] == "Bearer k"
    assert headers["Content-Length"] == "8"
    assert headers["User-Agent"].startswith("python-httpx/")  # httpx's, not aiohttp's


async def test_connections_are_kept_alive_and_pooled(serve: Serve) -> None:
    peers: list[int] = []
    gate = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername")[1])  # type: ignore[union-attr]
        if request.path == "/wait":
            await gate.wait()
        return web.Response(text="ok")

    base = await serve(handler)
    async with client(max_connections=2) as http:
        for _ in range(3):
            await http.get(f"{base}/")
        assert len(set(peers)) == 1  # one connection, reused
        calls = [asyncio.create_task(http.get(f"{base}/wait")) for _ in range(3)]
        await asyncio.sleep(0.2)
        assert len(peers) == 3 + 2  # the third waits for one of the two connections
        gate.set()
        await asyncio.gather(*calls)
    assert len(set(peers)) == 2


async def test_a_compressed_reply_is_decoded_once(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        body = gzip.compress(json.dumps({"text": "four"}).encode())
        return web.Response(body=body, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})

    base = await serve(handler)
    async with client() as http:
        assert (await http.get(f"{base}/")).json() == {"text": "four"}


async def test_an_event_stream_is_handed_over_as_it_arrives(serve: Serve) -> None:
    more = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"data: one\n\n")
        await more.wait()
        await response.write(b"data: two\n\n")
        await response.write_eof()
        return response

    base = await serve(handler)
    async with client() as http, http.stream("POST", f"{base}/", content=b"{}") as response:
        chunks = response.aiter_bytes()
        assert await anext(chunks) == b"data: one\n\n"  # before the server has sent the rest
        more.set()
        assert b"".join([chunk async for chunk in chunks]) == b"data: two\n\n"


async def test_a_reply_slower_than_the_read_timeout_is_httpxs_read_timeout(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return web.Response(text="late")

    base = await serve(handler)
    async with client() as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"{base}/", timeout=httpx.Timeout(2.0, read=0.2))


async def half_a_reply(request: web.Request) -> web.StreamResponse:
    """Headers promising 100 bytes, then 12 of them."""
    response = web.StreamResponse(headers={"Content-Type": "application/json", "Content-Length": "100"})
    await response.prepare(request)
    await response.write(b'{"partial": ')
    return response


async def test_a_body_that_stalls_is_a_read_timeout_too(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = await half_a_reply(request)
        await asyncio.sleep(1.0)
        return response

    base = await serve(handler)
    async with client() as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"{base}/", timeout=httpx.Timeout(2.0, read=0.2))


async def test_a_connection_dropped_mid_reply_is_an_httpx_transport_error(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = await half_a_reply(request)
        assert request.transport is not None
        request.transport.close()
        return response

    base = await serve(handler)
    async with client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(f"{base}/")


async def test_nobody_listening_is_httpxs_connect_error() -> None:
    with socket.socket() as probe:  # a free port, closed again: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/")


async def test_closing_the_transport_closes_its_pool(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    base = await serve(handler)
    transport = AiohttpTransport()
    http = httpx.AsyncClient(transport=transport)
    await http.get(f"{base}/")
    session = transport._session
    await http.aclose()
    assert session is not None
    assert session.closed


def test_max_connections_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_connections"):
        AiohttpTransport(max_connections=0)


async def test_groq_client_sends_what_the_sdks_own_aiohttp_client_sends(
    fake_groq: FakeGroq, make_groq: MakeGroq
) -> None:
    fake_groq.reply("four").reply("four")
    await make_groq().complete(ask())
    sdk = groq.AsyncGroq(
        api_key=fake_groq.api_key,
        base_url=fake_groq.base_url,
        max_retries=2,
        timeout=2.0,
        http_client=groq.DefaultAioHttpClient(timeout=2.0),
    )
    async with sdk:
        await sdk.post("/openai/v1/chat/completions", cast_to=httpx.Response, body=fake_groq.chat_requests[0].body)

    ours, theirs = fake_groq.chat_requests
    assert ours.body == theirs.body
    assert {k.lower(): v for k, v in ours.headers.items()} == {k.lower(): v for k, v in theirs.headers.items()}


async def test_a_reply_is_read_whole_by_the_transport_not_streamed_through_httpx(
    fake_groq: FakeGroq, make_groq: MakeGroq, monkeypatch: pytest.MonkeyPatch
) -> None:
    def streamed(*args: object, **kwargs: object) -> object:
        raise AssertionError("httpx read the reply as a stream")

    monkeypatch.setattr(httpx.Response, "aiter_raw", streamed)
    fake_groq.reply("four")
    assert (await make_groq().complete(ask())).text == "four"


async def test_post_is_given_the_options_it_would_otherwise_default_per_call(
    fake_groq: FakeGroq, make_groq: MakeGroq, monkeypatch: pytest.MonkeyPatch
) -> None:
    given: list[set[str]] = []
    request = groq.AsyncGroq.request

    async def spy(self: groq.AsyncGroq, cast_to: Any, options: Any, **kwargs: Any) -> Any:
        given.append(set(options.model_fields_set))
        return await request(self, cast_to, options, **kwargs)

    monkeypatch.setattr(groq.AsyncGroq, "request", spy)
    fake_groq.reply("four")
    client = make_groq(max_retries=1, timeout=1.5)
    assert (await client.complete(ask())).text == "four"
    assert [fields >= {"headers", "params", "max_retries", "timeout"} for fields in given] == [True]
    [sent] = fake_groq.chat_requests
    assert sent.headers["x-stainless-read-timeout"] == "1.5"
