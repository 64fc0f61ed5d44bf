"""🔍 is counted per person: a message stays expanded while anyone's 🔍 remains on it, and collapses with the last."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import Place, script_chain
from tests.fakes.discord import FakeDiscord, Permission
from tests.fakes.groq_server import FakeGroq

pytestmark = pytest.mark.timeout(30)


def _edits(fake: FakeDiscord, thread: int, message_id: int) -> list[str]:
    return [e.message.content for e in fake.record.history(thread) if e.action == "edit" and e.message.id == message_id]


async def test_a_step_stays_expanded_while_anyones_magnifier_remains(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2)
    carol = fake.add_user("carol", guilds=[place.guild])
    async with make_bot() as bot:
        _, thread = await bot.ask(place, "Read together")
        first = fake.record.messages(thread)[0]
        for user in (place.alice, place.bob):
            fake.add_reaction(thread, first.id, "🔍", user_id=user)
        fake.remove_reaction(thread, first.id, "🔍", user_id=place.bob)  # alice's remains: nothing changes
        # Carol's expand is handled after bob's remove (reactions on one message go in order): a sync point.
        fake.add_reaction(thread, first.id, "🔍", user_id=carol)

        def expanded_thrice() -> bool:
            return sum("Content of step 1." in text for text in _edits(fake, thread, first.id)) == 3

        await fake.wait_until(expanded_thrice, what="three expansions")
        assert all("Content of step 1." in text for text in _edits(fake, thread, first.id))  # never collapsed
        fake.remove_reaction(thread, first.id, "🔍", user_id=place.alice)
        fake.remove_reaction(thread, first.id, "🔍", user_id=carol)  # the last one: now it collapses
        await fake.wait_until(
            lambda: "Content of step 1." not in _edits(fake, thread, first.id)[-1], what="the collapse"
        )
    edits = _edits(fake, thread, first.id)
    assert ["Content of step 1." in text for text in edits] == [True, True, True, False]
    assert fake.record.count_429 == 0


async def test_the_bots_own_magnifier_on_the_header_does_not_keep_the_steps_expanded(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2)
    async with make_bot() as bot:
        header, thread = await bot.ask(place, "Expand all, then not")
        await bot.reacted(header.id, "🔍")  # the bot offers 🔍 on the header: its own does not count
        fake.add_reaction(place.channel, header.id, "🔍", user_id=place.alice)
        steps = [m.id for m in fake.record.messages(thread) if "Step title" in m.content]

        def shown(expanded: bool) -> bool:
            edits = [_edits(fake, thread, m) for m in steps]
            return all(e and ("Content of step" in e[-1]) == expanded for e in edits)

        await fake.wait_until(lambda: shown(True), what="both expanded")
        fake.remove_reaction(place.channel, header.id, "🔍", user_id=place.alice)
        await fake.wait_until(lambda: shown(False), what="both collapsed")


async def test_every_step_stays_expanded_while_the_askers_or_a_moderators_magnifier_remains(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    script_chain(fake_groq, 2)
    moderator = fake.add_user("mod")
    fake.add_member(
        place.guild, moderator, roles=[fake.add_role(place.guild, "mods", permissions=Permission.MANAGE_MESSAGES)]
    )
    async with make_bot() as bot:
        header, thread = await bot.ask(place, "Keep it open")
        steps = [m.id for m in fake.record.messages(thread) if "Step title" in m.content]

        def expansions() -> int:
            return sum("Content of step 1." in text for text in _edits(fake, thread, steps[0]))

        fake.add_reaction(place.channel, header.id, "🔍", user_id=place.alice)  # the asker
        await fake.wait_until(lambda: expansions() == 1, what="expanded by the asker")
        fake.add_reaction(place.channel, header.id, "🔍", user_id=moderator)
        await fake.wait_until(lambda: expansions() == 2, what="expanded by the moderator")
        fake.remove_reaction(place.channel, header.id, "🔍", user_id=place.alice)  # the moderator's remains
        fake.add_reaction(place.channel, header.id, "🔍", user_id=place.alice)  # a sync point: handled after it
        await fake.wait_until(lambda: expansions() == 3, what="expanded by the asker again")
        assert all("Content of step 1." in text for text in _edits(fake, thread, steps[0]))
        for user in (place.alice, moderator):
            fake.remove_reaction(place.channel, header.id, "🔍", user_id=user)
        await fake.wait_until(lambda: "Content of step 1." not in _edits(fake, thread, steps[0])[-1], what="collapsed")
    assert ["Content of step 1." in text for text in _edits(fake, thread, steps[0])] == [True, True, True, False]
