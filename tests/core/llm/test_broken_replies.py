"""Replies that are not answers, from both SDKs: a 200 that is not JSON, a connection closed without a reply.

A proxy or gateway in front of the API may answer 200 with its own HTML page (with an HTML or even a JSON content
type): that is the provider failing (``llm_server``), told in one sentence and logged as one warning, not a
crash. A server that reads the request and closes the connection is ``llm_connection``, not a timeout.
"""

from __future__ import annotations

import logging
import time

import pytest

from core.errors import LLMConnectionError, LLMServerError, LLMTimeoutError
from core.events import ChainFailed
from tests.core.conftest import collect
from tests.core.llm.sample import MakeGroq, MakeOpenAI, ask
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service

CONTENT_TYPES = ["text/html; charset=utf-8", "application/json", "text/plain"]


@pytest.fixture(params=["groq", "openai"])
def make_client(request: pytest.FixtureRequest, make_groq: MakeGroq, make_openai: MakeOpenAI):
    return make_groq if request.param == "groq" else make_openai


def _no_traceback_or_error(caplog: pytest.LogCaptureFixture) -> None:
    ours = [r for r in caplog.records if r.name.startswith("core.")]
    assert not [r for r in ours if r.levelno >= logging.ERROR or r.exc_info]
    assert [r.levelname for r in ours if "not JSON" in r.getMessage()] == ["WARNING"]


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
async def test_a_200_that_is_not_json_is_a_server_error(fake_groq: FakeGroq, make_client, caplog, content_type):
    caplog.set_level(logging.INFO)
    fake_groq.proxy_page(200, content_type=content_type)
    with pytest.raises(LLMServerError, match=r"sent a reply that is not JSON \(a proxy's error page\?\)") as caught:
        await make_client().complete(ask())
    assert caught.value.kind == "llm_server"
    assert "BASE_URL" in caught.value.message
    assert "<html>" not in caught.value.message
    _no_traceback_or_error(caplog)


async def test_a_closed_connection_is_a_connection_error(fake_groq: FakeGroq, make_client):
    fake_groq.drop()
    began = time.perf_counter()
    with pytest.raises(LLMConnectionError, match="closed the connection without answering") as caught:
        await make_client(max_retries=0, timeout=5.0).complete(ask())
    assert caught.value.kind == "llm_connection"
    assert "did not answer within" not in caught.value.message
    assert time.perf_counter() - began < 2.0
    assert len(fake_groq.chat_requests) == 1


async def test_a_closed_connection_is_retried_like_any_connection_error(fake_groq: FakeGroq, make_client):
    fake_groq.drop().drop().reply("third time lucky")
    assert (await make_client(max_retries=2).complete(ask())).text == "third time lucky"
    assert len(fake_groq.chat_requests) == 3


async def test_a_server_that_hangs_is_still_a_timeout(fake_groq: FakeGroq, make_client):
    fake_groq.hang()
    with pytest.raises(LLMTimeoutError, match=r"did not answer within 0\.3 s"):
        await make_client(max_retries=0, timeout=0.3).complete(ask())


_JSON_TYPED_PAGE = {"content_type": "application/json"}  # the SDK then parses it as JSON: a crash before


@pytest.mark.parametrize(
    ("script", "kind"),
    [
        (lambda fake: fake.proxy_page(200, **_JSON_TYPED_PAGE).proxy_page(200, **_JSON_TYPED_PAGE), "llm_server"),
        (lambda fake: fake.drop().drop(), "llm_connection"),
    ],
    ids=["not-json", "closed"],
)
async def test_through_the_chain_the_user_sees_the_kind_and_the_log_one_warning(
    fake_groq: FakeGroq, caplog, script, kind
):
    caplog.set_level(logging.INFO)
    script(fake_groq)
    async with running_service(groq=fake_groq, llm_max_retries=1) as services:
        events = await collect(services.service, "q?")
    failed = events[-1]
    assert isinstance(failed, ChainFailed)
    assert failed.kind == kind
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert f"failed: {kind}" in caplog.text
