"""/thinkbot settings and /thinkbot usage against the fake Discord, the bot started as production starts it: only
members who may manage the server, privately; what an admin sets is what the next /think uses."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import Place, script_chain
from tests.fakes.discord import FakeDiscord, Permission
from tests.fakes.groq_server import FakeGroq

pytestmark = pytest.mark.timeout(30)

OTHER = "openai/gpt-oss-20b"


def _admin(fake: FakeDiscord, place: Place) -> int:
    role = fake.add_role(place.guild, "mods", permissions=Permission.MANAGE_GUILD)
    fake.ctx.world.guild(place.guild).members[place.bob].append(role)
    return place.bob


async def _private_reply(fake: FakeDiscord, place: Place, user: int, count: int) -> str:
    def seen() -> list[str]:
        return [m.content for m in fake.record.messages(place.channel) if m.ephemeral and m.visible_to == user]

    await fake.wait_until(lambda: len(seen()) >= count, what="a private reply")
    return seen()[count - 1]


async def test_settings_are_for_server_managers_only(fake: FakeDiscord, place: Place, make_bot) -> None:
    async with make_bot():
        fake.run_command("thinkbot", user_id=place.alice, channel_id=place.channel, options={"settings": {}})
        refused = await _private_reply(fake, place, place.alice, 1)
        fake.run_command("thinkbot", user_id=place.alice, channel_id=place.channel, options={"usage": {}})
        also_refused = await _private_reply(fake, place, place.alice, 2)
    assert refused == also_refused
    assert "Manage Server" in refused
    assert not [m for m in fake.record.messages(place.channel) if not m.ephemeral]


async def test_what_an_admin_sets_is_what_think_uses(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    admin = _admin(fake, place)
    other_channel = fake.add_text_channel(place.guild, "elsewhere")
    async with make_bot(allowed_models=OTHER) as bot:
        change = {"model": OTHER, "display": "compact", "channels": f"<#{place.channel}>", "daily_tokens": 5000}
        fake.run_command("thinkbot", user_id=admin, channel_id=place.channel, options={"settings": change})
        saved = await _private_reply(fake, place, admin, 1)
        bot.think(place, "Where may I ask?", channel=other_channel)
        await fake.wait_until(
            lambda: any(m.ephemeral for m in fake.record.messages(other_channel)), what="the refusal elsewhere"
        )
        script_chain(fake_groq, 2, answer="Here.")
        await bot.ask(place, "And here?")
        fake.run_command("thinkbot", user_id=admin, channel_id=place.channel, options={"usage": {}})
        usage = await _private_reply(fake, place, admin, 2)
    assert saved.startswith("Saved.")
    assert f"`{OTHER}`" in saved
    assert f"<#{place.channel}>" in saved
    assert "5,000" in saved
    [refusal] = fake.record.messages(other_channel)
    assert "limited this bot to some channels" in refusal.content
    assert {r.model for r in fake_groq.chat_requests} == {OTHER}  # the server's model, on the wire
    assert "of 5,000 tokens" in usage
    assert "**Questions:** 1," in usage  # the refused one is not counted: it never reached the limits
    assert "g1 1" in usage


async def test_a_model_outside_the_allowlist_cannot_even_be_sent(fake: FakeDiscord, place: Place, make_bot) -> None:
    admin = _admin(fake, place)
    async with make_bot():
        with pytest.raises(ValueError, match="not one of its choices"):
            fake.run_command(
                "thinkbot", user_id=admin, channel_id=place.channel, options={"settings": {"model": OTHER}}
            )
        with pytest.raises(ValueError, match="not one of its choices"):
            fake.run_command(
                "think", user_id=admin, channel_id=place.channel, options={"question": "q", "model": OTHER}
            )


async def test_a_thread_counts_as_its_channel(fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot) -> None:
    """An admin allows channels, not each thread: a follow-up in the thread of an allowed channel is answered."""
    admin = _admin(fake, place)
    async with make_bot() as bot:
        only_here = {"settings": {"channels": f"<#{place.channel}>"}}
        fake.run_command("thinkbot", user_id=admin, channel_id=place.channel, options=only_here)
        await _private_reply(fake, place, admin, 1)
        script_chain(fake_groq, 1, answer="It is 4.")
        _, thread = await bot.ask(place, "What is 2+2?")
        script_chain(fake_groq, 1, answer="Then it is 8.")
        fake.send_message(thread, f"<@{fake.bot_id}> and doubled?", user_id=place.alice)
        await fake.wait_until(
            lambda: any("Then it is 8." in m.content for m in fake.record.messages(thread)), what="the follow-up"
        )
        await bot.idle()
    assert not any("limited this bot" in m.content for m in fake.record.messages(thread))
