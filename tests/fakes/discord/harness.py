"""Run a real discord.py client against a FakeDiscord. The one module of this package that imports discord.py."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord

from adapters.discord.endpoints import apply_endpoints

from .server import FakeDiscord

__all__ = ["connected", "pointed_at"]


@contextlib.asynccontextmanager
async def pointed_at(fake: FakeDiscord) -> AsyncIterator[None]:
    """discord.py talks to ``fake`` inside the block and to what it used before afterwards."""
    previous = apply_endpoints(api_base=fake.api_base, gateway_url=fake.gateway_url)
    try:
        yield
    finally:
        apply_endpoints(api_base=previous.api_base, gateway_url=previous.gateway_url)


@contextlib.asynccontextmanager
async def connected(
    client: discord.Client,
    fake: FakeDiscord,
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 - bounds the wait for READY only, not the block
) -> AsyncIterator[None]:
    """Log ``client`` in to ``fake``, connect it in a task, wait for on_ready; close it on the way out."""
    async with pointed_at(fake):
        await client.login(fake.token)
        runner = asyncio.create_task(client.connect())
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait({runner, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if runner in done:
                runner.result()  # connect() ended before READY: raise why
            if ready not in done:
                raise TimeoutError(f"discord.py was not ready after {timeout}s")
            yield
        finally:
            ready.cancel()
            await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
