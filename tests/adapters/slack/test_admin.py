"""/thinkbot settings and /thinkbot usage in Slack against the fake, the bot started as production starts it: only
the workspace's admins and owners (and the operator's named users), privately; what an admin sets (display,
channels, user groups, budget) is what the next question gets."""

from __future__ import annotations

import pytest

from adapters.slack.options import SlackOptions
from tests.adapters.slack.chains import Script, Scripts
from tests.adapters.slack.conftest import ALICE, BOB, CHANNEL, harness
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.fakes.slack.workspace import User, Workspace

pytestmark = pytest.mark.timeout(30)

ADMIN, OPERATOR_PICK = "U0ADA", "U0OLA"
ELSEWHERE = "C0RANDOM"
PEOPLE = (
    User(id=ALICE, name="alice"),
    User(id=BOB, name="bob"),
    User(id=ADMIN, name="ada", is_admin=True),
    User(id=OPERATOR_PICK, name="ola"),
)


async def _command(slack: FakeSlack, user: str, text: str, count: int) -> str:
    command = slack.users.command(channel=CHANNEL, user=user, text=text, command="/thinkbot")
    await slack.socket.deliver_command(command.payload)
    notes = await slack.record.wait_for(
        lambda: [e for e in slack.record.ephemerals if e.user == user][count - 1 :], what="a private reply"
    )
    return notes[0].text


@pytest.fixture
async def slack() -> FakeSlack:  # type: ignore[misc]
    workspace = Workspace(users=PEOPLE, usergroups={"S0MODS": [BOB]})
    async with FakeSlack(post_interval=0.02, post_burst=50, workspace=workspace) as fake:
        yield fake


async def test_only_admins_and_named_users_may_use_it(slack: FakeSlack, fake_groq: FakeGroq, redis_url: str) -> None:
    async with harness(slack, fake_groq, redis_url=redis_url) as h:
        h.bot  # noqa: B018 - started
        refused = await _command(slack, ALICE, "settings", 1)
        shown = await _command(slack, ADMIN, "", 1)
    assert refused.startswith("Only this workspace's admins and owners")
    assert shown.startswith("Thinkbot here:")
    assert "*Channels:* any" in shown


async def test_what_an_admin_sets_is_what_the_next_question_gets(
    slack: FakeSlack, fake_groq: FakeGroq, scripts: Scripts, redis_url: str
) -> None:
    scripts.default = Script()
    change = f"settings display=compact channels=<#{CHANNEL}|general> roles=<!subteam^S0MODS|@mods> daily_tokens=9000"
    async with harness(slack, fake_groq, redis_url=redis_url) as h:
        saved = await _command(slack, ADMIN, change, 1)
        await h.ask("may I?", user=ALICE)  # not in @mods
        [refusal] = await slack.record.wait_for(
            lambda: [e for e in slack.record.ephemerals if e.user == ALICE], what="the refusal"
        )
        member = await h.ask("and I?", user=BOB)
        replies = await h.answered(member.ts)
        bad = await _command(slack, ADMIN, "settings display=sideways", 2)
        usage = await _command(slack, ADMIN, "usage", 3)
    assert saved.startswith("Saved.")
    assert "<!subteam^S0MODS>" in saved
    assert "9,000" in saved
    assert "limited this bot to some roles" in refusal.text
    assert [m.text.split(":")[0] for m in replies] == ["Answer"]  # compact: the answer alone
    assert bad.startswith("display is one of")
    assert "of 9,000 tokens" in usage
    assert "*Questions:* 1," in usage


async def test_an_operator_may_name_more_admins(slack: FakeSlack, fake_groq: FakeGroq, redis_url: str) -> None:
    options = SlackOptions(post_interval=0.0, max_retries=3, admin_users=frozenset({OPERATOR_PICK}))
    async with harness(slack, fake_groq, redis_url=redis_url, options=options) as h:
        h.bot  # noqa: B018 - started
        shown = await _command(slack, OPERATOR_PICK, "settings channels=all", 1)
    assert shown.startswith("Thinkbot here:")  # nothing changed: the list was empty already
