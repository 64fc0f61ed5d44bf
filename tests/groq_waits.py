"""Waiting on the fake Groq: a chain's progress seen from the model's side (how many completions it was asked for),
for tests that must act while a step is being thought, before anything shows in the chat."""

from __future__ import annotations

import asyncio

from tests.fakes.groq_server import FakeGroq

__all__ = ["until_asked"]


async def until_asked(groq: FakeGroq, count: int, *, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - names what never came
    """Wait until ``groq`` has been asked for ``count`` completions in all (polled: its requests signal nothing)."""
    try:
        async with asyncio.timeout(timeout):
            while len(groq.chat_requests) < count:  # noqa: ASYNC110 - a plain list the fake fills; polled
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise TimeoutError(f"the fake Groq was asked for {len(groq.chat_requests)} of {count} completions") from None
