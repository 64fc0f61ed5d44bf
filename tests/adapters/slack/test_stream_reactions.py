"""The expand reaction on a streamed message, against the fake Slack: the steps show in full as new replies below
it (within the room one expansion has), the streamed message itself is never rewritten, and collapsing removes
them again."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.chat.pacing import ChannelPacer, Pace
from adapters.slack.admins import Admins
from adapters.slack.poster import Poster
from adapters.slack.reactions import SlackReactions
from adapters.slack.stream_links import stream_location
from adapters.slack.stream_plan import StreamPlan
from core.events import Step
from core.llm.types import Usage
from core.state import MessageLink
from tests.fakes.slack import FakeSlack, StreamedMessage
from tests.fakes.slack.validation import check_message

pytestmark = pytest.mark.timeout(30)

CHANNEL = "C0GENERAL"
ALICE = "U0ALICE"


def poster_for(slack: FakeSlack) -> Poster:
    client = AsyncWebClient(token=slack.workspace.bot_token, base_url=slack.api_url)
    return Poster(client=client, pacer=ChannelPacer[str](pace=Pace(posts=1, per=0.0)))


def step(index: int, content: str) -> Step:
    return Step(chain_id="c1", index=index, title=f"Think {index}", content=content, elapsed=1.0, usage=Usage())


async def streamed(slack: FakeSlack, poster: Poster, steps: list[Step]) -> tuple[str, str]:
    """A question and the stopped streamed message that shows ``steps`` below it: (question ts, stream ts)."""
    parent = slack.users.say(channel=CHANNEL, user=ALICE, text="a question").ts
    plan = StreamPlan()
    ts = await poster.start_stream(CHANNEL, parent, plan.start(), recipient=(slack.workspace.team_id, ALICE))
    for one in steps:
        await poster.append_stream(CHANNEL, ts, plan.step(one))
    await poster.stop_stream(CHANNEL, ts, plan.answer("Four.") or [])
    return parent, ts


def stream_of(slack: FakeSlack, ts: str) -> StreamedMessage:
    found = slack.record.stream(CHANNEL, ts)
    assert found is not None
    return found


@pytest.mark.parametrize("room", [12, 1])
async def test_expanding_a_streamed_message_posts_its_steps_below_and_collapsing_removes_them(
    slack: FakeSlack, room: int
) -> None:
    poster = poster_for(slack)
    steps = [step(n, f"Thought {n}: " + "words and more words " * 200) for n in range(1, 4)]
    parent, ts = await streamed(slack, poster, steps)
    before = stream_of(slack, ts)
    link = MessageLink(chain_id="c1", message_id=f"slack:{CHANNEL}:{ts}", steps=(1, 2, 3),
                       location=stream_location(parent))  # fmt: skip
    reactions = SlackReactions(poster=poster, admins=Admins(client=poster.client), user=ALICE, limit=12)

    added = await reactions.rewrite(link, steps, expanded=True, room=room, old=())

    replies = slack.record.thread(CHANNEL, parent)
    assert replies[0].ts == ts
    assert [m.ts for m in replies[1:]] == [a.message_id.rsplit(":", 1)[1] for a in added]
    assert 1 <= len(added) <= room
    shown = "\n".join(b["text"]["text"] for m in replies[1:] for b in m.blocks if b["type"] == "section")
    if room == 1:  # all three in one message: what does not fit is cut, and the note says so
        assert "Thought 1:" in shown
        assert "did not fit" in str(replies[1].blocks[-1])
    else:
        assert all(f"Thought {n}:" in shown for n in (1, 2, 3))
    for message in replies[1:]:
        check_message(message.text, list(message.blocks))
    assert slack.record.updates == []
    assert stream_of(slack, ts) == before

    assert await reactions.rewrite(link, steps, expanded=False, room=room, old=added) == []
    assert [m.ts for m in slack.record.thread(CHANNEL, parent)] == [ts]
    assert slack.record.updates == []
