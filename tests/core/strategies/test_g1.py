import json

from core.events import ChainFailed, ChainStarted, FinalAnswer, Step
from core.request import Turn
from core.strategies.prompts import G1_FINAL_REQUEST, G1_PREFILL
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq


def step(title: str, content: str = "reasoning", next_action: str = "continue") -> str:
    return json.dumps({"title": title, "content": content, "next_action": next_action})


async def test_message_sequence_follows_g1(fake_groq: FakeGroq, make_service):
    fake_groq.reply(step("Spell it"), prompt_tokens=100, completion_tokens=10)
    fake_groq.reply(step("Count"), prompt_tokens=120, completion_tokens=11)
    fake_groq.reply(step("Check another way", next_action="final_answer"), prompt_tokens=140, completion_tokens=12)
    fake_groq.reply("There are 3 Rs.", prompt_tokens=160, completion_tokens=5)

    events = await collect(await make_service())

    assert isinstance(events[0], ChainStarted)
    assert [(e.index, e.title) for e in events if isinstance(e, Step)] == [
        (1, "Spell it"),
        (2, "Count"),
        (3, "Check another way"),
    ]
    final = events[-1]
    assert isinstance(final, FinalAnswer)
    assert (final.text, final.steps) == ("There are 3 Rs.", 3)
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (520, 38)

    calls = fake_groq.chat_requests
    assert len(calls) == 4
    first = calls[0].messages
    assert [m["role"] for m in first] == ["system", "user", "assistant"]
    assert "json" in first[0]["content"].lower()
    assert first[1]["content"] == "How many Rs are in strawberry?"
    assert first[2]["content"] == G1_PREFILL
    for call in calls[:3]:  # the test model, Llama 4 Scout, has best-effort Structured Outputs
        assert call.body["response_format"]["type"] == "json_schema"
        assert call.body["response_format"]["json_schema"]["strict"] is False
        assert call.body["temperature"] == 0.2
    assert "response_format" not in calls[3].body
    # every step the model gave is in the context of the next call, in order
    assistant = [m["content"] for m in calls[3].messages if m["role"] == "assistant"]
    assert assistant[0] == G1_PREFILL
    assert [json.loads(text)["title"] for text in assistant[1:]] == [
        "Spell it",
        "Count",
        "Check another way",
    ]
    assert calls[3].messages[-1] == {"role": "user", "content": G1_FINAL_REQUEST}


async def test_step_cap_stops_the_chain_then_asks_for_the_answer(fake_groq: FakeGroq, make_service):
    fake_groq.respond_with(lambda body: step("More") if "response_format" in body else "Forty-two.")
    events = await collect(await make_service(step_cap=4))
    assert [e.index for e in events if isinstance(e, Step)] == [1, 2, 3, 4]
    assert isinstance(events[-1], FinalAnswer)
    assert events[-1].text == "Forty-two."
    assert len(fake_groq.chat_requests) == 5


async def test_fenced_json_is_repaired_without_asking_again(fake_groq: FakeGroq, make_service):
    # In JSON mode Groq refuses fenced JSON with json_validate_failed; the step is read from failed_generation.
    fake_groq.reply("```json\n" + step("Fenced", next_action="final_answer") + "\n```")
    fake_groq.reply("3")
    events = await collect(await make_service())
    assert [e.title for e in events if isinstance(e, Step)] == ["Fenced"]
    assert len(fake_groq.chat_requests) == 2


async def test_missing_content_is_reasked_with_the_reason(fake_groq: FakeGroq, make_service):
    fake_groq.reply(json.dumps({"title": "No content here"}))
    fake_groq.reply(step("Second try", next_action="final_answer"))
    fake_groq.reply("3")
    events = await collect(await make_service())
    assert [e.title for e in events if isinstance(e, Step)] == ["Second try"]
    reask = fake_groq.chat_requests[1].messages
    assert reask[-2] == {"role": "assistant", "content": json.dumps({"title": "No content here"})}
    assert 'no "content"' in reask[-1]["content"]
    # the failed attempt is not kept in the context of later calls
    final_context = fake_groq.chat_requests[2].messages
    assert all("No content here" not in m["content"] for m in final_context)


async def test_missing_title_and_next_action_are_filled_in(fake_groq: FakeGroq, make_service):
    fake_groq.reply(json.dumps({"content": "Spell s-t-r-a-w-b-e-r-r-y"}))
    fake_groq.reply(step("Done", next_action="final_answer"))
    fake_groq.reply("3")
    steps = [e for e in await collect(await make_service()) if isinstance(e, Step)]
    assert [s.title for s in steps] == ["Spell s-t-r-a-w-b-e-r-r-y", "Done"]


async def test_json_validate_failed_garbage_past_limit_fails_and_keeps_steps(fake_groq: FakeGroq, make_service):
    fake_groq.reply(step("Good step"))
    for _ in range(3):
        fake_groq.reply("I refuse to write JSON today")  # the fake answers 400 json_validate_failed
    events = await collect(await make_service(repair_limit=2))
    failed = events[-1]
    assert isinstance(failed, ChainFailed)
    assert failed.kind == "malformed_output"
    assert "step 2" in failed.message
    assert "tried 3 times" in failed.message
    assert [s.title for s in failed.steps] == ["Good step"]
    assert len(fake_groq.chat_requests) == 4


async def test_follow_up_carries_earlier_turns(fake_groq: FakeGroq, make_service):
    fake_groq.reply(step("Recall", next_action="final_answer")).reply("Still 3.")
    history = (Turn(question="How many Rs in strawberry?", answer="3"),)
    await collect(await make_service(), question="Are you sure?", history=history)
    roles = [(m["role"], m["content"]) for m in fake_groq.chat_requests[0].messages[1:4]]
    assert roles == [("user", "How many Rs in strawberry?"), ("assistant", "3"), ("user", "Are you sure?")]
