"""Recording at the LLM seam and replaying offline: the same completions, deltas and errors, with the fake gone."""

import dataclasses
import json
from pathlib import Path

import pytest

from core.chain_config import ChainConfig
from core.errors import JSONValidateError, LLMError, RequestTooLargeError
from core.eval.recording import CALLS_FILE, RecordingLLM, ReplayLLM, call_time, request_key
from core.eval.runner import Job, plan, run_eval
from core.eval.sets import read_jsonl
from core.llm.groq_client import GroqClient
from core.llm.types import Completion, CompletionRequest, Delta, Message
from core.strategies.registry import STRATEGIES
from tests.eval.kit import addition_file, wrong_for_bare
from tests.fakes.groq_server import FakeGroq

MODEL = "openai/gpt-oss-120b"


async def recorded_eval(fake: FakeGroq, tmp_path: Path, jobs: list[Job], config: ChainConfig, concurrency: int):
    """Run ``jobs`` against ``fake`` through a recorder writing to ``tmp_path``; the samples."""
    groq = GroqClient(api_key=fake.api_key, base_url=fake.base_url, timeout=5, max_retries=0)
    recorder = RecordingLLM(groq, tmp_path)
    try:
        return await run_eval(
            jobs, llm=recorder, config=config, strategies=STRATEGIES.build_all(), concurrency=concurrency
        )
    finally:
        recorder.close()
        await groq.aclose()


def request(text: str = "hi", **fields) -> CompletionRequest:
    return CompletionRequest(model=MODEL, messages=(Message("user", text),), temperature=0.2, max_tokens=64, **fields)


async def test_completions_errors_and_streams_replay_exactly(tmp_path: Path) -> None:
    odd = 'naïve 🍓 \u200b\r\n tab\t quote" \\ \ud800 end'  # non-ASCII, controls, a lone surrogate
    with FakeGroq() as fake:
        fake.reply(odd, prompt_tokens=7, completion_tokens=5)
        fake.error(
            400,
            {
                "error": {
                    "message": "bad",
                    "type": "invalid_request_error",
                    "code": "json_validate_failed",
                    "failed_generation": "{not json",
                }
            },
        )
        fake.error(413)
        fake.reply("streamed answer", pieces=("str", "eamed ", "answer"))
        groq = GroqClient(api_key=fake.api_key, base_url=fake.base_url, timeout=5, max_retries=0)
        recorder = RecordingLLM(groq, tmp_path)
        try:
            live = [await recorder.complete(request("one"))]
            errors = []
            for text, json_mode in (("two json", True), ("three", False)):
                with pytest.raises(LLMError) as caught:
                    await recorder.complete(request(text, json_mode=json_mode))
                errors.append(caught.value)
            streamed = [item async for item in recorder.stream(request("four"))]
        finally:
            recorder.close()
            await groq.aclose()
    assert "naïve 🍓" in live[0].text
    assert [type(e) for e in errors] == [JSONValidateError, RequestTooLargeError]
    assert [d.text for d in streamed if isinstance(d, Delta)] == ["str", "eamed ", "answer"]

    replay = ReplayLLM(tmp_path)  # the fake is stopped: nothing but the file answers
    assert await replay.complete(request("one")) == live[0]
    with pytest.raises(JSONValidateError) as validate:
        await replay.complete(request("two json", json_mode=True))
    assert validate.value.failed_generation == errors[0].failed_generation == "{not json"
    assert validate.value.message == errors[0].message
    with pytest.raises(RequestTooLargeError) as large:
        await replay.complete(request("three"))
    assert large.value.message == errors[1].message
    assert [item async for item in replay.stream(request("four"))] == streamed
    assert isinstance(streamed[-1], Completion)
    assert replay.misses == 0


async def test_identical_requests_replay_in_recorded_order_and_a_miss_is_counted(tmp_path: Path) -> None:
    lines = [
        {
            "key": request_key("complete", request()),
            "call": "complete",
            "model": MODEL,
            "seconds": 1.5,
            "completion": dataclasses.asdict(Completion(text=text)),
        }
        for text in ("first", "second")
    ]
    (tmp_path / CALLS_FILE).write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="ascii")
    replay = ReplayLLM(tmp_path)
    with call_time() as spent:
        assert (await replay.complete(request())).text == "first"
        assert (await replay.complete(request())).text == "second"
    assert spent.replayed == 3.0  # the recorded seconds stand in for the calls' time
    with pytest.raises(LLMError, match="no answer for this complete call"):
        await replay.complete(request())
    with pytest.raises(LLMError):
        await replay.complete(dataclasses.replace(request(), max_tokens=65))
    assert replay.misses == 2


def test_the_key_names_every_request_field() -> None:
    keys = {
        request_key("complete", request()),
        request_key("stream", request()),
        request_key("complete", request("other")),
        request_key("complete", request(json_mode=True)),
        request_key("complete", request(reasoning=True)),
        request_key("complete", dataclasses.replace(request(), temperature=0.3)),
    }
    assert len(keys) == 6
    assert request_key("complete", request()) == request_key("complete", request())


def test_a_missing_recording_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="--record"):
        ReplayLLM(tmp_path)


async def test_a_recorded_eval_replays_to_the_same_samples(tmp_path: Path) -> None:
    questions = read_jsonl(addition_file(5), name="sums")
    model = "qwen/qwen3-32b"  # JSON mode, no strict Structured Outputs: the malformed step reaches g1
    jobs = plan([("g1", model), ("bare", model), ("berry", model)], questions, 2)  # g1 first: it gets "not a step"
    config = ChainConfig(model=model, berry_turns=2)
    with FakeGroq(responder=wrong_for_bare(delay=0.05)) as fake:
        fake.reply("not a step")  # one repair, recorded like any reply
        recorded = await recorded_eval(fake, tmp_path, jobs, config, concurrency=4)
    replay = ReplayLLM(tmp_path)
    replayed = await run_eval(jobs, llm=replay, config=config, strategies=STRATEGIES.build_all(), concurrency=4)

    def same(sample):
        return dataclasses.replace(sample, latency=0.0)

    assert sorted(map(same, replayed), key=repr) == sorted(map(same, recorded), key=repr)
    assert sum(s.repairs for s in recorded) == 1
    assert replay.misses == 0
    assert all(s.latency >= 0.05 for s in replayed)  # the recorded call time, not the replay's


async def test_a_streaming_strategy_is_recorded_and_replayed(tmp_path: Path) -> None:
    questions = read_jsonl(addition_file(3), name="sums")
    jobs = plan([("native", MODEL), ("bare", MODEL)], questions, 1)
    config = ChainConfig(model=MODEL)
    with FakeGroq(responder=wrong_for_bare()) as fake:
        recorded = await recorded_eval(fake, tmp_path, jobs, config, concurrency=2)
    native = [s for s in recorded if s.strategy == "native"]
    assert [(s.correct, s.failure, s.calls) for s in native] == [(True, None, 1)] * 3
    assert all(s.steps >= 1 and s.tokens > 0 for s in native)
    assert sum('"call": "stream"' in line for line in (tmp_path / CALLS_FILE).read_text().splitlines()) == 3
    replayed = await run_eval(
        jobs, llm=ReplayLLM(tmp_path), config=config, strategies=STRATEGIES.build_all(), concurrency=2
    )
    assert [dataclasses.replace(s, latency=0.0) for s in replayed] == [
        dataclasses.replace(s, latency=0.0) for s in recorded
    ]
