from core.events import FinalAnswer, Step
from core.strategies.prompts import BERRY_CRITIQUE, BERRY_SYNTHESIS
from tests.core.conftest import collect
from tests.fakes.groq_server import FakeGroq


async def test_turns_critique_with_all_earlier_turns_then_synthesis(fake_groq: FakeGroq, make_service):
    for text in ("Turn one: 2 Rs", "Turn two: actually 3", "Turn three: 3 confirmed", "There are 3 Rs."):
        fake_groq.reply(text)

    events = await collect(await make_service(berry_turns=3), strategy="berry")

    steps = [e for e in events if isinstance(e, Step)]
    assert [(s.index, s.content) for s in steps] == [
        (1, "Turn one: 2 Rs"),
        (2, "Turn two: actually 3"),
        (3, "Turn three: 3 confirmed"),
    ]
    assert steps[0].title == "First answer"
    assert steps[1].title == "Critique and refinement 1"
    final = events[-1]
    assert isinstance(final, FinalAnswer)
    assert (final.text, final.steps) == ("There are 3 Rs.", 3)

    calls = fake_groq.chat_requests
    assert len(calls) == 4
    assert all("response_format" not in c.body for c in calls)
    third = [(m["role"], m["content"]) for m in calls[2].messages[1:]]
    assert third == [
        ("user", "How many Rs are in strawberry?"),
        ("assistant", "Turn one: 2 Rs"),
        ("user", BERRY_CRITIQUE),
        ("assistant", "Turn two: actually 3"),
        ("user", BERRY_CRITIQUE),
    ]
    assert calls[3].messages[-2] == {"role": "assistant", "content": "Turn three: 3 confirmed"}
    assert calls[3].messages[-1] == {"role": "user", "content": BERRY_SYNTHESIS}
