"""🔍 on a group of steps too long for one message: the message is edited in place, within 2,000 characters, and
nothing is posted, so the answer stays the thread's last message. The rest is one press of Steps away (the pointer
names the page), or, without buttons, attached to the same message; collapsing restores it as it was."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tests.adapters.discord.conftest import Bot, Place, step
from tests.fakes.discord import FakeDiscord, Permission, PostedMessage
from tests.fakes.discord.components import walk
from tests.fakes.groq_server import FakeGroq

pytestmark = pytest.mark.timeout(30)

LONG = "\n\n".join(f"Paragraph {n} " + "word " * 80 for n in range(12)) + "\n\nThe very end."  # ~5,000 characters
POINTER = "press 📜 **Steps** under the question"


def script_long_middle(groq: FakeGroq) -> None:
    """Three steps, the second far over 2,000 characters, and the answer."""
    groq.reply(step("Short one", "Content of step 1.")).reply(step("Long one", LONG))
    groq.reply(step("Short again", "Content of step 3.", "final_answer")).reply("The answer is 4.")


def current(fake: FakeDiscord, channel: int, message_id: int) -> PostedMessage:
    return next(m for m in fake.record.messages(channel) if m.id == message_id)


def the_group(fake: FakeDiscord, thread: int) -> PostedMessage:
    [group] = [m for m in fake.record.messages(thread) if "**2. Long one**" in m.content]
    assert "**1. Short one**" in group.content
    assert "**3. Short again**" in group.content
    return group


async def ask_long(bot: Bot, place: Place, groq: FakeGroq) -> tuple[PostedMessage, int, PostedMessage, int]:
    """Ask for the chain of :func:`script_long_middle`: its header, thread, group message and the thread's changes
    so far."""
    script_long_middle(groq)
    header, thread = await bot.ask(place, "Say a lot")
    return header, thread, the_group(bot.fake, thread), len(bot.fake.record.history(thread))


def answer_is_last(fake: FakeDiscord, thread: int) -> None:
    assert fake.record.messages(thread)[-1].content.startswith("✅ **Answer**")


def nothing_posted_or_deleted(fake: FakeDiscord, thread: int, since: int) -> None:
    assert {e.action for e in fake.record.history(thread)[since:]} == {"edit"}


async def test_a_group_expands_in_place_and_points_to_the_page_of_steps(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    async with make_bot(step_max_tokens=4096) as bot:
        header, thread, group, since = await ask_long(bot, place, fake_groq)
        fake.add_reaction(thread, group.id, "🔍", user_id=place.bob)
        await fake.wait_until(lambda: POINTER in current(fake, thread, group.id).content, what="the pointer")
        expanded = current(fake, thread, group.id)
        answer_is_last(fake, thread)
        page = await steps_page(fake, place, header, expanded.content)
        fake.remove_reaction(thread, group.id, "🔍", user_id=place.bob)
        await fake.wait_until(lambda: current(fake, thread, group.id).content == group.content, what="collapsed")
    nothing_posted_or_deleted(fake, thread, since)
    answer_is_last(fake, thread)
    assert len(expanded.content) <= 2000
    assert expanded.attachments == ()
    assert "Content of step 1." in expanded.content
    assert "Content of step 3." in expanded.content  # the short steps whole, the long one cut
    assert "Paragraph 0 " in expanded.content
    assert "The very end." not in expanded.content
    assert expanded.content.endswith(f"-# … the rest of step 2: {POINTER} (page 2).")
    assert page.startswith("**2. Long one**")  # the page the pointer names is where step 2 starts


async def steps_page(fake: FakeDiscord, place: Place, header: PostedMessage, pointer: str) -> str:
    """Open Steps under ``header`` as bob and turn to the page ``pointer`` names; that page's text."""
    number = int(pointer.rsplit("(page ", 1)[1].split(")")[0])
    header = current(fake, place.channel, header.id)
    before = {m.id for m in fake.record.messages(place.channel)}
    fake.press_button(header.id, _custom_id(header.components, "thinkbot:steps:"), user_id=place.bob)
    await fake.wait_until(lambda: len(fake.record.messages(place.channel)) > len(before), what="the Steps view")
    view = next(m for m in fake.record.messages(place.channel) if m.id not in before)
    for _ in range(1, number):
        turned = len(fake.record.callbacks)
        fake.press_button(view.id, _custom_id(view.components, ":n"), user_id=place.bob)
        await fake.wait_until(lambda: len(fake.record.callbacks) > turned, what="the page turned")  # noqa: B023
        view = current(fake, place.channel, view.id)
    return view.content


def _custom_id(components: Any, part: str) -> str:
    found: list[Mapping[str, Any]] = list(walk(components))
    return next(str(c["custom_id"]) for c in found if part in str(c.get("custom_id", "")))


async def test_without_buttons_the_group_carries_its_steps_as_a_file(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    async with make_bot(step_max_tokens=4096, discord_buttons=False) as bot:
        _, thread, group, since = await ask_long(bot, place, fake_groq)
        fake.add_reaction(thread, group.id, "🔍", user_id=place.alice)
        await fake.wait_until(lambda: bool(current(fake, thread, group.id).attachments), what="the file")
        expanded = current(fake, thread, group.id)
        answer_is_last(fake, thread)
        fake.remove_reaction(thread, group.id, "🔍", user_id=place.alice)
        await fake.wait_until(lambda: current(fake, thread, group.id).content == group.content, what="collapsed")
    nothing_posted_or_deleted(fake, thread, since)
    answer_is_last(fake, thread)
    assert len(expanded.content) <= 2000
    assert expanded.content.endswith("-# 📎 … the rest of step 2 is in steps-1-3.md, attached.")
    assert expanded.attachments == ("steps-1-3.md",)
    text = expanded.file("steps-1-3.md").decode()
    assert all(part in text for part in ("Content of step 1.", "Paragraph 11 ", "The very end.", "Content of step 3."))
    assert current(fake, thread, group.id).attachments == ()


async def test_without_attach_files_the_pointer_says_what_is_missing(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    async with make_bot(step_max_tokens=4096, discord_buttons=False) as bot:
        _, thread, group, since = await ask_long(bot, place, fake_groq)
        fake.deny(place.channel, Permission.ATTACH_FILES)
        fake.add_reaction(thread, group.id, "🔍", user_id=place.alice)
        await fake.wait_until(lambda: "Attach Files" in current(fake, thread, group.id).content, what="the note")
        expanded = current(fake, thread, group.id)
    nothing_posted_or_deleted(fake, thread, since)
    assert len(expanded.content) <= 2000
    assert expanded.attachments == ()
    assert "-# ✂️ … the rest of step 2 (" in expanded.content


async def test_expanding_every_step_from_the_header_posts_nothing(
    fake: FakeDiscord, fake_groq: FakeGroq, place: Place, make_bot
) -> None:
    for index in range(1, 7):
        content = LONG if index % 2 == 0 else f"Content of step {index}."
        fake_groq.reply(step(f"Step title {index}", content, "final_answer" if index == 6 else "continue"))
    fake_groq.reply("The answer is 6.")
    async with make_bot(step_max_tokens=4096) as bot:
        header, thread = await bot.ask(place, "Expand everything")
        before = fake.record.messages(thread)
        since = len(fake.record.history(thread))
        fake.add_reaction(place.channel, header.id, "🔍", user_id=place.alice)

        def all_expanded() -> bool:
            shown = "\n".join(m.content for m in fake.record.messages(thread))
            return all(f"Content of step {n}." in shown for n in (1, 3, 5)) and shown.count(POINTER) == 2

        await fake.wait_until(all_expanded, what="every step expanded")
        expanded = fake.record.messages(thread)
        fake.remove_reaction(place.channel, header.id, "🔍", user_id=place.alice)
        shown = [m.content for m in before]
        await fake.wait_until(lambda: [m.content for m in fake.record.messages(thread)] == shown, what="collapsed")
    nothing_posted_or_deleted(fake, thread, since)
    assert [m.id for m in expanded] == [m.id for m in before]
    assert all(len(m.content) <= 2000 for m in expanded)
    assert expanded[-1].content.startswith("✅ **Answer**")
    assert fake.record.count_429 == 0
