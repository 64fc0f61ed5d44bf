"""The fake Discord's message components, proven with the real discord.py client: buttons kept on messages and
clicked as component interactions (type 3) that reach persistent ``DynamicItem``s, answered by a new message
(ephemeral: only the clicker sees it), an update of the clicked message, or a deferral and later edits; and what
Discord refuses, for classic components and Components V2 messages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest

from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.harness import connected

pytestmark = pytest.mark.timeout(20)

V2 = 1 << 15


class Counter(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"count:(?P<n>\d+)"):
    """A button that counts its clicks in its custom id, so any process (or a restarted one) can answer it."""

    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label=f"Clicked {n}", custom_id=f"count:{n}"))
        self.n = n

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Counter:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(Counter(self.n + 1))
        await interaction.response.edit_message(content=f"count {self.n + 1}", view=view)


class Peek(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"peek:(?P<mode>\w+)"):
    """Answers privately (``reply``), or defers and then edits the clicked message and follows up (``later``)."""

    def __init__(self, mode: str) -> None:
        super().__init__(discord.ui.Button(label="Peek", custom_id=f"peek:{mode}"))
        self.mode = mode

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Peek:
        return cls(match["mode"])

    async def callback(self, interaction: discord.Interaction) -> None:
        if self.mode == "reply":
            view = discord.ui.View(timeout=None)
            view.add_item(Counter(0))
            await interaction.response.send_message("only you", ephemeral=True, view=view)
            return
        await interaction.response.defer()
        await interaction.edit_original_response(content="edited after a deferral")
        await interaction.followup.send("a private follow-up", ephemeral=True)


class Bot(discord.Client):
    def __init__(self) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
        )

    async def setup_hook(self) -> None:
        self.add_dynamic_items(Counter, Peek)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(rate_window=0.2) as server:
        yield server


@pytest.fixture
async def roomy() -> AsyncIterator[FakeDiscord]:
    """Room for many requests to one channel in a row (refused ones count against the rate limit too)."""
    async with FakeDiscord(message_limit=100) as server:
        yield server


def _world(fake: FakeDiscord) -> tuple[int, int, int]:
    guild = fake.add_guild()
    return fake.add_text_channel(guild), fake.add_user("alice", guilds=[guild]), fake.add_user("bob", guilds=[guild])


def _view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


async def test_a_dynamic_button_is_kept_on_the_message_and_its_click_updates_it(fake: FakeDiscord) -> None:
    channel, alice, _ = _world(fake)
    bot = Bot()
    async with connected(bot, fake):
        sent = await bot.get_partial_messageable(channel).send("count 0", view=_view(Counter(0)))
        [posted] = fake.record.messages(channel)
        assert posted.custom_ids() == ["count:0"]
        fake.press_button(sent.id, "count:0", user_id=alice)
        await fake.wait_until(lambda: fake.record.messages(channel)[0].content == "count 1", what="the update")
        with pytest.raises(LookupError, match="no component"):
            fake.press_button(sent.id, "count:0", user_id=alice)  # that button is gone: a client cannot click it
        fake.press_button(sent.id, "count:1", user_id=alice)
        await fake.wait_until(lambda: fake.record.messages(channel)[0].content == "count 2", what="a second update")
        fetched = await bot.get_partial_messageable(channel).fetch_message(sent.id)
    assert [(c.type, c.status) for c in fake.record.callbacks] == [(7, 200), (7, 200)]
    assert [child.custom_id for row in fetched.components for child in row.children] == ["count:2"]  # type: ignore[union-attr]


async def test_an_ephemeral_answer_is_seen_and_clicked_only_by_the_clicker(fake: FakeDiscord) -> None:
    channel, alice, bob = _world(fake)
    bot = Bot()
    async with connected(bot, fake):
        sent = await bot.get_partial_messageable(channel).send("peek here", view=_view(Peek("reply")))
        fake.press_button(sent.id, "peek:reply", user_id=bob)
        [_, private] = await fake.wait_for_messages(channel, 2)
        assert (private.ephemeral, private.visible_to, private.content) == (True, bob, "only you")
        assert [m.id for m in fake.record.seen_by(channel, alice)] == [sent.id]
        assert [m.id for m in fake.record.seen_by(channel, bob)] == [sent.id, private.id]
        with pytest.raises(LookupError, match="ephemeral"):
            fake.press_button(private.id, "count:0", user_id=alice)
        with pytest.raises(ValueError, match="ephemeral"):
            fake.add_reaction(channel, private.id, "🔍", user_id=bob)
        fake.press_button(private.id, "count:0", user_id=bob)
        await fake.wait_until(lambda: fake.record.messages(channel)[1].content == "count 1", what="the update")
        with pytest.raises(discord.NotFound):  # an ephemeral message is not in the channel for the bot either
            await bot.get_partial_messageable(channel).fetch_message(private.id)
    assert fake.record.messages(channel)[1].ephemeral
    assert [c.type for c in fake.record.callbacks] == [4, 7]


async def test_a_deferred_update_edits_the_clicked_message_and_a_follow_up_is_private(fake: FakeDiscord) -> None:
    channel, alice, bob = _world(fake)
    bot = Bot()
    async with connected(bot, fake):
        sent = await bot.get_partial_messageable(channel).send("before", view=_view(Peek("later")))
        fake.press_button(sent.id, "peek:later", user_id=bob)
        await fake.wait_for_messages(channel, 2)
        await fake.wait_until(lambda: fake.record.messages(channel)[0].content == "edited after a deferral")
    clicked, follow_up = fake.record.messages(channel)
    assert clicked.custom_ids() == ["peek:later"]  # an edit without components keeps them
    assert (follow_up.content, follow_up.visible_to, follow_up.source) == ("a private follow-up", bob, "followup")
    assert [c.type for c in fake.record.callbacks] == [6]
    assert not follow_up.seen_by(alice)


async def test_a_select_choice_arrives_with_its_values(fake: FakeDiscord) -> None:
    channel, alice, _ = _world(fake)
    chosen: list[list[str]] = []

    class Pick(discord.ui.View):
        @discord.ui.select(custom_id="pick", options=[discord.SelectOption(label=s, value=s) for s in "abc"])
        async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Pick]) -> None:
            chosen.append(select.values)
            await interaction.response.defer()

    bot = Bot()
    async with connected(bot, fake):
        view = Pick(timeout=None)
        sent = await bot.get_partial_messageable(channel).send("pick one", view=view)
        with pytest.raises(ValueError, match="its own options"):
            fake.choose(sent.id, "pick", ["z"], user_id=alice)
        with pytest.raises(ValueError, match="its own options"):
            fake.choose(sent.id, "pick", ["a", "b"], user_id=alice)  # one at most
        fake.choose(sent.id, "pick", ["b"], user_id=alice)
        await fake.wait_until(lambda: bool(chosen), what="the choice")
    assert chosen == [["b"]]


async def test_a_components_v2_layout_is_sent_and_its_button_clicked(fake: FakeDiscord) -> None:
    channel, alice, _ = _world(fake)
    layout = discord.ui.LayoutView(timeout=None)
    row: discord.ui.ActionRow[Any] = discord.ui.ActionRow()
    row.add_item(Counter(7))
    layout.add_item(discord.ui.Container(discord.ui.TextDisplay("**Step 1**\nsome text"), row))
    bot = Bot()
    async with connected(bot, fake):
        sent = await bot.get_partial_messageable(channel).send(view=layout)
        [posted] = fake.record.messages(channel)
        assert (posted.components_v2, posted.content, posted.text()) == (True, "", "**Step 1**\nsome text")
        fake.press_button(sent.id, "count:7", user_id=alice)
        await fake.wait_until(lambda: fake.record.callbacks != [], what="the click")
    # Counter answers with content: on a Components V2 message Discord refuses it, and the flag stays.
    assert [(c.type, c.status) for c in fake.record.callbacks] == [(7, 400)]
    assert fake.record.messages(channel)[0].components_v2


# What Discord refuses, sent as raw requests (discord.py would check some of these itself).


async def _post(fake: FakeDiscord, path: str, body: dict[str, Any], method: str = "POST") -> tuple[int, Any]:
    headers = {"Authorization": f"Bot {fake.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.api_base + path, json=body, headers=headers) as response,
    ):
        return response.status, await response.json() if response.status != 204 else None


def _button(custom_id: str, **more: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "b", "custom_id": custom_id, **more}


def _row(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(children)}


def _text(content: str) -> dict[str, Any]:
    return {"type": 10, "content": content}


def _refusal(answer: tuple[int, Any]) -> tuple[int, int, str]:
    """Status, code and the first nested error code of a 50035."""
    status, body = answer
    errors = body.get("errors", {})
    while "_errors" not in errors and errors:
        errors = next(iter(errors.values()))
    return status, body["code"], errors.get("_errors", [{}])[0].get("code", "")


async def test_classic_components_within_limits_pass_and_past_them_are_refused(roomy: FakeDiscord) -> None:
    fake = roomy
    channel, *_ = _world(fake)
    path = f"/channels/{channel}/messages"
    full = [_row(*(_button(f"{r}{c}".ljust(100, "x")) for c in range(5))) for r in range(5)]
    assert (await _post(fake, path, {"content": "25 buttons", "components": full}))[0] == 200
    assert (await _post(fake, path, {"components": [_row(_button("only"))]}))[0] == 200  # components alone will do
    refused = {
        "id of 101": [_row(_button("x" * 101))],
        "6 in a row": [_row(*(_button(str(n)) for n in range(6)))],
        "6 rows": [_row(_button(str(n))) for n in range(6)],
        "same id": [_row(_button("a")), _row(_button("a"))],
        "no id": [_row({"type": 2, "style": 1, "label": "b"})],
        "bare button": [_button("a")],
        "select and button": [
            _row({"type": 3, "custom_id": "s", "options": [{"label": "a", "value": "a"}]}, _button("b"))
        ],
        "26 options": [
            _row({"type": 3, "custom_id": "s", "options": [{"label": "a", "value": str(n)} for n in range(26)]})
        ],
        "a text display": [_text("needs the V2 flag")],
    }
    found = {name: _refusal(await _post(fake, path, {"content": "c", "components": c})) for name, c in refused.items()}
    assert found == {
        "id of 101": (400, 50035, "BASE_TYPE_MAX_LENGTH"),
        "6 in a row": (400, 50035, "COMPONENT_LAYOUT_WIDTH_EXCEEDED"),
        "6 rows": (400, 50035, "BASE_TYPE_MAX_LENGTH"),
        "same id": (400, 50035, "COMPONENT_CUSTOM_ID_DUPLICATED"),
        "no id": (400, 50035, "BASE_TYPE_REQUIRED"),
        "bare button": (400, 50035, "UNION_TYPE_CHOICES"),
        "select and button": (400, 50035, "COMPONENT_LAYOUT_WIDTH_EXCEEDED"),
        "26 options": (400, 50035, "BASE_TYPE_BAD_LENGTH"),
        "a text display": (400, 50035, "UNION_TYPE_CHOICES"),
    }
    assert len(fake.record.messages(channel)) == 2


async def test_components_v2_messages_are_held_to_their_own_rules(roomy: FakeDiscord) -> None:
    fake = roomy
    channel, *_ = _world(fake)
    path = f"/channels/{channel}/messages"
    forty = [{"type": 17, "components": [_text("t")] * 38 + [_row(_button("b"))]}]  # 1 + 38 + 1 + 1 = 41
    status, full = await _post(fake, path, {"flags": V2, "components": [_text("x" * 4000)]})
    assert (status, full["flags"], full["content"]) == (200, V2, "")
    assert (await _post(fake, path, {"flags": V2, "components": [_text("t")] * 40}))[0] == 200
    refused = {
        "content": {"flags": V2, "content": "no", "components": [_text("t")]},
        "embeds": {"flags": V2, "embeds": [{"description": "no"}], "components": [_text("t")]},
        "nothing": {"flags": V2, "components": []},
        "41": {"flags": V2, "components": forty},
        "4001": {"flags": V2, "components": [_text("x" * 2000), _text("x" * 2001)]},
        "button on top": {"flags": V2, "components": [_button("b")]},
    }
    found = {name: _refusal(await _post(fake, path, body)) for name, body in refused.items()}
    assert found == {
        "content": (400, 50035, "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2"),
        "embeds": (400, 50035, "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2"),
        "nothing": (400, 50006, ""),
        "41": (400, 50035, "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED"),
        "4001": (400, 50035, "COMPONENT_MAX_TOTAL_TEXT_LENGTH_EXCEEDED"),
        "button on top": (400, 50035, "UNION_TYPE_CHOICES"),
    }
    one = f"{path}/{full['id']}"
    status, kept = await _post(fake, one, {"flags": 0, "components": [_text("still V2")]}, "PATCH")
    assert (status, kept["flags"]) == (200, V2)  # the flag cannot be taken off
    assert _refusal(await _post(fake, one, {"content": "text again"}, "PATCH"))[2] == (
        "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2"
    )
    status, classic = await _post(fake, path, {"content": "classic"})
    upgrade = {"flags": V2, "components": [_text("now V2")]}
    assert _refusal(await _post(fake, f"{path}/{classic['id']}", upgrade, "PATCH"))[0] == 400  # content left
    status, upgraded = await _post(fake, f"{path}/{classic['id']}", upgrade | {"content": None}, "PATCH")
    assert (status, upgraded["flags"], upgraded["content"]) == (200, V2, "")
