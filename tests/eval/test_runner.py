"""The eval runner against the fake Groq through the real Groq client: scores, counts, rate limits, concurrency."""

import json

import pytest

from core.chain_config import ChainConfig
from core.eval.runner import plan, run_eval
from core.eval.sets import read_jsonl
from core.eval.summary import summarise
from core.llm.groq_client import GroqClient
from core.strategies.registry import STRATEGIES
from tests.eval.kit import addition_file, wrong_for_bare
from tests.fakes.groq_server import FakeGroq

MODEL = "openai/gpt-oss-120b"
JSON_MODE_MODEL = "qwen/qwen3-32b"  # no strict Structured Outputs: a malformed step reaches g1, which re-asks
QUESTIONS = read_jsonl(addition_file(10), name="sums")


def client(fake: FakeGroq, retries: int = 2) -> GroqClient:
    return GroqClient(api_key=fake.api_key, base_url=fake.base_url, timeout=5, max_retries=retries)


async def evaluate(fake: FakeGroq, pairs, questions=QUESTIONS, *, n=1, concurrency=4, retries=2, seen=None):
    llm = client(fake, retries)
    try:
        return await run_eval(
            plan(pairs, questions, n),
            llm=llm,
            config=ChainConfig(model=MODEL, berry_turns=2),
            strategies=STRATEGIES.build_all(),
            concurrency=concurrency,
            on_sample=seen.append if seen is not None else None,
        )
    finally:
        await llm.aclose()


async def test_bare_answers_wrongly_and_the_chains_rightly(fake_groq: FakeGroq) -> None:
    fake_groq.respond_with(wrong_for_bare())
    seen: list = []
    samples = await evaluate(fake_groq, [("bare", MODEL), ("g1", MODEL), ("berry", MODEL)], n=2, seen=seen)
    assert len(samples) == len(seen) == 60
    rows = {row.strategy: row for row in summarise(samples)}
    assert (rows["bare"].accuracy, rows["g1"].accuracy, rows["berry"].accuracy) == (0.0, 1.0, 1.0)
    assert (rows["bare"].samples, rows["bare"].low, rows["g1"].high) == (20, 0.0, 1.0)
    assert (rows["bare"].steps_mean, rows["g1"].steps_mean, rows["berry"].steps_mean) == (0, 2, 2)
    assert all(row.failures == 0 and row.repairs == 0 for row in rows.values())
    assert {s.calls for s in samples if s.strategy == "bare"} == {1}
    assert {s.calls for s in samples if s.strategy == "g1"} == {3}
    assert all(s.tokens > 0 and s.latency > 0 for s in samples)
    assert [(s.strategy, s.question_id, s.sample) for s in samples[:3]] == [
        ("bare", "sums-1", 1),
        ("bare", "sums-1", 2),
        ("bare", "sums-2", 1),
    ]


async def test_a_malformed_step_is_a_repair_and_the_chain_still_scores(fake_groq: FakeGroq) -> None:
    fake_groq.reply("not a step at all, no JSON here")  # g1 asks again (400 json_validate_failed in JSON mode)
    fake_groq.respond_with(wrong_for_bare())
    [sample] = await evaluate(fake_groq, [("g1", JSON_MODE_MODEL)], QUESTIONS[:1])
    assert (sample.correct, sample.repairs, sample.calls, sample.steps) == (
        True,
        1,
        3,
        1,
    )  # the fake counts the bad reply as a turn: step 1 is final
    reask = fake_groq.chat_requests[1].messages[-1]["content"]
    assert reask.startswith("Your last reply could not be used")


async def test_a_429_is_waited_out_and_a_chain_that_still_fails_is_a_failure(fake_groq: FakeGroq) -> None:
    fake_groq.error(429, retry_after=0.3)  # first question's call: retried after 0.3 s, then answered
    fake_groq.reply("The sum is 4.")
    fake_groq.error(429, retry_after=0.05).error(429, retry_after=0.05)  # second: still 429 after the one retry
    questions = QUESTIONS[:2]
    samples = await evaluate(fake_groq, [("bare", MODEL)], questions, concurrency=1, retries=1)
    first, second = samples
    assert (first.correct, first.failure) == (True, None)
    assert first.latency >= 0.3
    assert (second.correct, second.failure, second.answer) == (False, "llm_rate_limited", None)
    assert summarise(samples)[0].failures == 1


async def test_concurrency_bounds_the_chains_in_flight(fake_groq: FakeGroq) -> None:
    fake_groq.respond_with(wrong_for_bare(delay=0.25))
    samples = await evaluate(fake_groq, [("bare", MODEL)], QUESTIONS[:8], concurrency=4)
    assert len(samples) == 8
    arrivals = sorted(r.at for r in fake_groq.chat_requests)
    assert arrivals[4] - arrivals[0] >= 0.2  # the fifth waited for one of the first four to finish


async def test_a_question_the_service_would_refuse_is_a_failed_sample(fake_groq: FakeGroq) -> None:
    [question] = read_jsonl(json.dumps({"question": "What is 1 + 2?" + " pad" * 2000, "answer": 3}), name="long")
    [sample] = await evaluate(fake_groq, [("bare", MODEL)], [question])
    assert (sample.failure, sample.calls) == ("input", 0)
    assert fake_groq.chat_requests == []


async def test_concurrency_must_be_positive(fake_groq: FakeGroq) -> None:
    with pytest.raises(ValueError, match="1 or more"):
        await evaluate(fake_groq, [("bare", MODEL)], concurrency=0)
