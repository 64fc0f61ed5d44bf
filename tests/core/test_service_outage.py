"""Redis stops and comes back while the bot is answering: nothing crashes, and state recovers by itself."""

import asyncio
import logging

import pytest

from core.events import ChainFailed, FinalAnswer
from tests.core.conftest import collect
from tests.core.test_service_state import chain_responder
from tests.fakes.groq_server import FakeGroq
from tests.redis_server import RedisServer
from tests.service_kit import running_service


@pytest.mark.parametrize("fail_open", [True, False])
async def test_answers_through_an_outage_and_recovers(fake_groq: FakeGroq, caplog, fail_open):
    fake_groq.respond_with(chain_responder(steps=1))
    caplog.set_level(logging.INFO, logger="core.state")
    with RedisServer() as server:
        async with running_service(groq=fake_groq, redis_url=server.url, limits_fail_open=fail_open) as services:
            await collect(services.service, "cached before the outage?")
            calls = len(fake_groq.chat_requests)

            server.stop()
            during = await asyncio.gather(*(collect(services.service, f"during {n}?") for n in range(5)))
            during.append(await collect(services.service, "cached before the outage?"))
            for events in during:
                assert isinstance(events[-1], FinalAnswer | ChainFailed)
                if not fail_open:
                    # Not the user's fault: its own kind, and never "asking too fast".
                    assert events[-1].kind == "limits_unavailable"
                    assert "can't check the usage limits right now" in events[-1].message
                    assert "faster" not in events[-1].message
                    assert events[-1].retry_after
            if fail_open:
                assert all(isinstance(events[-1], FinalAnswer) for events in during)
                assert len(fake_groq.chat_requests) == calls + 2 * len(during)  # cache skipped, no crash

            server.start()  # empty: the server keeps nothing on disk
            # Back within seconds: the same question asked twice is answered, then replayed from the cache.
            async with asyncio.timeout(10):
                while True:
                    await asyncio.sleep(0.2)
                    answered = await collect(services.service, "after the outage?")
                    if isinstance(answered[-1], FinalAnswer) and answered[-1].cached:
                        break
    outage_lines = [r for r in caplog.records if r.levelno == logging.WARNING and "unreachable" in r.getMessage()]
    assert len(outage_lines) == 1
