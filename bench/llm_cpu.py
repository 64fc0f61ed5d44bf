"""CPU per LLM call by layer at 200 concurrent chains, against a raw aiohttp POST of the same request body.

200 g1 chains of 6 steps + a final answer (7 calls each) run at once against a fake Groq in another process
(answering after ``--delay``), layer by layer, the layers interleaved round after round so drift in the machine's
load hits all alike:
- raw: ``aiohttp`` POSTs of the very bodies ``GroqClient`` sends (checked at start), the reply read with
  ``json.loads``: the baseline;
- sdk typed: ``AsyncGroq.post(cast_to=ChatCompletion)`` on the SDK's aiohttp transport: request building, httpx
  over aiohttp, the pydantic ``ChatCompletion``;
- sdk raw: the same call with ``cast_to=httpx.Response`` (the SDK's documented raw access), the body read with
  ``json.loads``;
- sdk lean: that call as ``GroqClient`` makes it: over ``core.llm.transport.AiohttpTransport`` and with the
  request options given once;
- client: ``GroqClient.complete`` (error mapping, usage, safe text);
- engine: ``run_chain`` of g1 over ``GroqClient`` (parser, events, deadline task);
- service: ``ThinkService.think`` as production wires it, with its state in a real Redis.
After start-up the process collects and freezes what it holds (``gc.collect(); gc.freeze()``), as the server entry
points (``bot/run.py``, ``bot/worker_run.py``) do once their services are built, so the figures are what production
runs: the garbage collector no longer walks the long-lived start-up objects (modules, SDK clients, the service).
Each row is this process's CPU time (``time.process_time``, every thread) per LLM call, with its ratio to raw.
Issue 13's targets: engine <= 2x raw, service <= 3x raw.

``--profile LAYER`` runs one warm-up round then one round of that layer under cProfile and prints the top entries by
own time and by cumulative time, and the own time grouped by package (per call; profiled times run ~2x slower).

``--layers raw,engine,service`` measures only those layers (raw always), for quicker before/after runs.

    python -m bench.llm_cpu [--chains 200] [--rounds 3] [--delay 0.05] [--layers ...] [--profile engine|service|...]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import aiohttp
import groq
import httpx
from groq.types.chat import ChatCompletion

from bench.fake_groq_process import Endpoint, fake_groq_process
from bench.overhead import MODEL, PATH, QUESTION, STEPS, engine_runner, service_runner
from core.chain_config import ChainConfig
from core.llm.groq_client import GroqClient
from core.llm.structured import ResponseFormats
from core.llm.transport import AiohttpTransport
from core.llm.types import CompletionRequest, Message
from core.strategies.g1 import STEP_SCHEMA
from core.strategies.prompts import G1_FINAL_REQUEST, G1_PREFILL, G1_SYSTEM
from tests.redis_server import redis_url_or_server as redis_target
from tests.service_kit import running_service

CALLS = STEPS + 1  # per chain
CONFIG = ChainConfig(model=MODEL)
FORMATS = ResponseFormats(None)

Send = Callable[[CompletionRequest], Awaitable[str]]  # one call; the reply's text
Chain = Callable[[int], Awaitable[object]]  # chain n


def request(messages: list[Message], *, json_mode: bool) -> CompletionRequest:
    """What g1 asks with the default config (core/strategies/g1.py ``_request``)."""
    return CompletionRequest(
        model=MODEL,
        messages=tuple(messages),
        temperature=CONFIG.temperature,
        max_tokens=CONFIG.step_max_tokens if json_mode else CONFIG.final_max_tokens,
        json_mode=json_mode,
        schema=STEP_SCHEMA if json_mode else None,
    )


def body(req: CompletionRequest) -> dict[str, object]:
    """The JSON body ``GroqClient`` posts for ``req`` on this (non-reasoning) model; checked in :func:`check_body`."""
    out: dict[str, object] = {
        "model": req.model,
        "messages": [{"role": m.role, "content": m.content} for m in req.messages],
        "temperature": req.temperature,
        "max_completion_tokens": req.max_tokens,
    }
    response_format = FORMATS.choose(req)
    if response_format is not None:
        out["response_format"] = response_format
    return out


def check_body(llm: GroqClient) -> None:
    for json_mode in (True, False):
        req = request([Message("system", G1_SYSTEM), Message("user", QUESTION)], json_mode=json_mode)
        sent = llm._body(req, llm._formats.choose(req))  # the bench compares like with like
        assert sent == body(req), (sent, body(req))


def g1_chain(send: Send) -> Chain:
    """The calls of a g1 chain (the same messages as the engine sends), each through ``send``."""

    async def chain(n: int) -> int:
        messages = [
            Message("system", G1_SYSTEM),
            Message("user", f"{QUESTION} ({n})"),
            Message("assistant", G1_PREFILL),
        ]
        for _ in range(CONFIG.step_cap):
            step = json.loads(await send(request(messages, json_mode=True)))
            messages.append(Message("assistant", json.dumps(step)))
            if step["next_action"] == "final_answer":
                break
        messages.append(Message("user", G1_FINAL_REQUEST))
        await send(request(messages, json_mode=False))
        return len(messages)

    return chain


def raw_send(session: aiohttp.ClientSession, url: str, api_key: str) -> Send:
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}

    async def send(req: CompletionRequest) -> str:
        async with session.post(url, data=json.dumps(body(req)).encode(), headers=headers) as response:
            response.raise_for_status()
            reply = json.loads(await response.read())
        return str(reply["choices"][0]["message"]["content"])

    return send


def sdk_typed_send(client: groq.AsyncGroq) -> Send:
    async def send(req: CompletionRequest) -> str:
        reply = await client.post(PATH, cast_to=ChatCompletion, body=body(req))
        return reply.choices[0].message.content or ""

    return send


def sdk_raw_send(client: groq.AsyncGroq) -> Send:
    async def send(req: CompletionRequest) -> str:
        response = await client.post(PATH, cast_to=httpx.Response, body=body(req))
        return str(json.loads(response.content)["choices"][0]["message"]["content"])

    return send


def sdk_lean_send(client: groq.AsyncGroq) -> Send:
    options: groq.RequestOptions = {
        "headers": {},
        "params": {},
        "max_retries": client.max_retries,
        "timeout": client.timeout,
    }

    async def send(req: CompletionRequest) -> str:
        response = await client.post(PATH, cast_to=httpx.Response, body=body(req), options=options)
        return str(json.loads(response.content)["choices"][0]["message"]["content"])

    return send


def client_send(llm: GroqClient) -> Send:
    async def send(req: CompletionRequest) -> str:
        return (await llm.complete(req)).text

    return send


async def cpu_per_call(chain: Chain, chains: int, first: int) -> float:
    """CPU seconds per call of ``chains`` chains at once, numbered from ``first`` (new questions: no cache hits)."""
    start = time.process_time()
    await asyncio.gather(*(chain(first + n) for n in range(chains)))
    return (time.process_time() - start) / (chains * CALLS)


def print_profile(profile: cProfile.Profile, calls: int, top: int = 25) -> None:
    stats = pstats.Stats(profile)
    for order in ("tottime", "cumulative"):
        stats.sort_stats(order).print_stats(top)
    by_package: Counter[str] = Counter()
    total = 0.0
    for (path, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        parts = path.replace("\\", "/").split("/")
        package = next((p for p in ("core", "bench", "bot") if p in parts and "site-packages" not in parts), None)
        if package is not None:
            key = "/".join(parts[parts.index(package) : parts.index(package) + 2])
        elif "site-packages" in parts:
            key = parts[parts.index("site-packages") + 1]
        elif "lib" in parts and path.startswith("/"):  # the standard library: its module
            key = "stdlib/" + parts[-1].removesuffix(".py")
        else:  # "~" (built-ins) and frozen modules
            key = "builtins" if path == "~" else path
        by_package[key] += own
        total += own
    print(f"own time per call by package (profiled): {total / calls * 1e6:.0f} us in all")
    for key, own in by_package.most_common(top):
        print(f"  {key:40} {own / calls * 1e6:7.1f} us  {own / total * 100:5.1f}%")


async def measure(
    chains: int, rounds: int, delay: float, profile: str | None = None, only: tuple[str, ...] = ()
) -> dict[str, list[float]]:
    settings = {
        "user_rate": "1000000/1s",
        "place_rate": "1000000/1s",
        "model": MODEL,
        "llm_max_retries": 0,
        "llm_max_connections": chains,
        "max_concurrent_chains": chains,
        "request_timeout": 60.0,
        "redis_max_connections": chains,
        "daily_token_budget": 10**12,  # checked and spent as in production, never used up by the rounds
    }
    with fake_groq_process(steps=STEPS, delay=delay) as (base_url, api_key), redis_target() as redis_url:
        endpoint = Endpoint(base_url=base_url, api_key=api_key)
        async with running_service(groq=endpoint, redis_url=redis_url, **settings) as services:  # type: ignore[arg-type]
            llm = GroqClient(api_key=api_key, base_url=base_url, timeout=60, max_retries=0, max_connections=chains)
            check_body(llm)
            transport = groq.DefaultAioHttpClient(limits=httpx.Limits(max_connections=chains), timeout=60)
            sdk = groq.AsyncGroq(api_key=api_key, base_url=base_url, timeout=60, max_retries=0, http_client=transport)
            lean_http = httpx.AsyncClient(transport=AiohttpTransport(max_connections=chains), timeout=60)
            lean = groq.AsyncGroq(api_key=api_key, base_url=base_url, timeout=60, max_retries=0, http_client=lean_http)
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=chains))
            gc.collect()  # as the entry points do once their services are built
            gc.freeze()
            layers: dict[str, Chain] = {
                "raw": g1_chain(raw_send(session, base_url.rstrip("/") + PATH, api_key)),
                "sdk typed": g1_chain(sdk_typed_send(sdk)),
                "sdk raw": g1_chain(sdk_raw_send(sdk)),
                "sdk lean": g1_chain(sdk_lean_send(lean)),
                "client": g1_chain(client_send(llm)),
                "engine": engine_runner(llm),
                "service": service_runner(services.service),
            }
            if only:
                layers = {name: chain for name, chain in layers.items() if name == "raw" or name in only}
            if profile is not None:
                layers = {profile: layers[profile]}
                await cpu_per_call(layers[profile], chains, first=1_000_000)  # warm
                profiler = cProfile.Profile()
                profiler.enable()
                await cpu_per_call(layers[profile], chains, first=2_000_000)
                profiler.disable()
                print_profile(profiler, chains * CALLS)
                rounds = -1  # no measured rounds
            figures: dict[str, list[float]] = {name: [] for name in layers}
            for round_ in range(rounds + 1):  # round 0 warms the pools (all connections open) and code paths
                for name, chain in layers.items():
                    per_call = await cpu_per_call(chain, chains, first=(round_ + 1) * 1_000_000)
                    if round_:
                        figures[name].append(per_call)
            await session.close()
            await sdk.close()
            await lean.close()
            await llm.aclose()
    return figures


def report(figures: dict[str, list[float]], chains: int, rounds: int, delay: float) -> None:
    print(f"{chains} g1 chains at once x {CALLS} calls, {rounds} rounds, fake answering after {delay * 1000:.0f} ms")
    print("CPU per LLM call in this process (best round; median in brackets), ratio to raw aiohttp")
    raw = min(figures["raw"])
    targets = {"engine": 2.0, "service": 3.0}
    for name, values in figures.items():
        best, middle = min(values), sorted(values)[len(values) // 2]
        target = f"  (target <= {targets[name]:.0f}x)" if name in targets else ""
        print(f"  {name:10} {best * 1000:6.3f} ms ({middle * 1000:6.3f})  {best / raw:5.2f}x{target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--profile", metavar="LAYER", help="profile one layer (raw, sdk raw, client, engine, ...)")
    parser.add_argument("--layers", default="", help="comma-separated layers to measure besides raw (default: all)")
    args = parser.parse_args()
    only = tuple(name.strip() for name in args.layers.split(",") if name.strip())
    figures = asyncio.run(measure(args.chains, args.rounds, args.delay, args.profile, only))
    if args.profile is None:
        report(figures, args.chains, args.rounds, args.delay)


if __name__ == "__main__":
    main()
