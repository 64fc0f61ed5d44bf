from bot.wiring import assemble_service, build_llm
from core.events import ChainFailed, FinalAnswer
from core.metrics import Metrics
from core.request import ThinkRequest
from core.state import SingleFlight, connect
from tests.deploy.chains import sample, script_chain
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service, settings_for


async def ask(services, question: str = "Why is the sky blue?", **kw) -> list:
    return [e async for e in services.service.think(ThinkRequest(question=question, user="u", place="p", **kw))]


async def test_a_live_chain_and_its_cached_replay_are_counted(fake_groq: FakeGroq, redis_url: str):
    script_chain(fake_groq, steps=3, tokens=(10, 5))
    async with running_service(groq=fake_groq, redis_url=redis_url) as services:
        metrics = services.metrics
        live = await ask(services)
        replay = await ask(services)
    assert isinstance(live[-1], FinalAnswer)
    assert replay[-1].cached
    text = metrics.exposition().decode()
    assert sample(text, "thinkbot_chains_started_total", cached="false") == 1
    assert sample(text, "thinkbot_chains_started_total", cached="true") == 1
    assert sample(text, "thinkbot_chains_finished_total", cached="false") == 1
    assert sample(text, "thinkbot_cache_hits_total") == 1
    assert sample(text, "thinkbot_cache_misses_total") == 1
    assert sample(text, "thinkbot_step_seconds_count") == 3  # the replay's steps are not timed again
    assert sample(text, "thinkbot_chain_seconds_count") == 1
    # three steps and the final answer, 10 prompt + 5 completion tokens each; the replay spends nothing
    assert sample(text, "thinkbot_llm_tokens_total", type="prompt") == 40
    assert sample(text, "thinkbot_llm_tokens_total", type="completion") == 20


async def test_refusals_and_failures_are_counted_by_kind(fake_groq: FakeGroq):
    async with running_service(groq=fake_groq, user_rate="1/1m") as services:
        fake_groq.error(401)
        failed = await ask(services, "first")
        refused = await ask(services, "second")
        empty = await ask(services, "   ")
    assert isinstance(failed[-1], ChainFailed)
    assert refused[-1].kind == "rate_limited"
    text = services.metrics.exposition().decode()
    assert sample(text, "thinkbot_chains_failed_total", kind=failed[-1].kind) == 1
    assert sample(text, "thinkbot_chains_failed_total", kind="rate_limited") == 1
    assert sample(text, "thinkbot_chains_failed_total", kind="input") == 1
    assert sample(text, "thinkbot_limit_denials_total", kind="rate_limited") == 1
    assert sample(text, "thinkbot_limit_denials_total", kind="input") == 0
    assert empty[-1].kind == "input"


def test_each_metrics_object_has_its_own_registry():
    first, second = Metrics(), Metrics()
    first.platform_rate_limited("discord")
    assert sample(first.exposition().decode(), "thinkbot_platform_rate_limited_total", platform="discord") == 1
    assert sample(second.exposition().decode(), "thinkbot_platform_rate_limited_total", platform="discord") == 0


async def test_a_service_without_metrics_yields_the_same_events(fake_groq: FakeGroq):
    script_chain(fake_groq, steps=1)
    settings = settings_for(groq=fake_groq)
    store = connect(settings.redis_config())
    flights = SingleFlight(redis=store.redis, keys=store.keys, guard=store.guard)
    llm = build_llm(settings)
    try:
        service = assemble_service(llm=llm, settings=settings, store=store, flights=flights)
        events = [e async for e in service.think(ThinkRequest(question="q", user="u", place="p"))]
    finally:
        await flights.aclose()
        await store.close()
        await llm.aclose()
    assert [type(e).__name__ for e in events] == ["ChainStarted", "Step", "FinalAnswer"]
