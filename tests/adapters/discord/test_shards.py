"""Discord shards, started as production starts them: one process holds every shard Discord recommends, or
THINKBOT_DISCORD_SHARD_COUNT and THINKBOT_DISCORD_SHARD_IDS split them across processes; /readyz waits for every
held shard. Against the fake Discord (which routes each guild's events to its shard) and a real redis-server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner, Result

from adapters.discord.shards import IdentifyPacer
from bot.cli import cli
from bot.discord_settings import DiscordSettings
from tests.adapters.discord.conftest import Bot, Place, script_chain, started
from tests.deploy.process import clean_environment
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.run_kit import make_plan, running

pytestmark = pytest.mark.timeout(40)

TWO_SHARDS = {"shards": 2, "max_concurrency": 2}


def places(fake: FakeDiscord, count: int) -> list[Place]:
    """One guild on each of ``count`` shards, with a channel and two members."""
    made = []
    for shard in range(count):
        guild = fake.add_guild(f"Guild {shard}", shard=(shard, count))
        alice, bob = (fake.add_user(name, guilds=[guild]) for name in ("alice", "bob"))
        made.append(Place(guild=guild, channel=fake.add_text_channel(guild), alice=alice, bob=bob))
    return made


async def answered_once(bot: Bot, place: Place) -> None:
    """/think in ``place``: one header, settled with the answer, and one interaction callback for it."""
    interaction = bot.think(place, "2+2?")
    header = await bot.header_settled(place.channel, timeout=10)
    assert "The answer is 4." in header.content
    assert [m.id for m in bot.fake.record.messages(place.channel)] == [header.id]
    callbacks = [c for c in bot.fake.record.callbacks if c.interaction_id == interaction.id]
    assert len(callbacks) == 1


@pytest.mark.parametrize("fake", [TWO_SHARDS], indirect=True)
async def test_one_process_holds_every_recommended_shard_and_answers_in_guilds_on_each(
    fake: FakeDiscord, fake_groq: FakeGroq, redis_url: str
):
    guilds = places(fake, 2)
    async with started(fake, fake_groq, redis_url) as bot:
        assert bot.client.shard_count == 2
        assert sorted(bot.client.shards) == [0, 1]
        assert sorted(c.shard for c in fake.record.connections) == [(0, 2), (1, 2)]
        for place in guilds:
            script_chain(fake_groq, 2)
            await answered_once(bot, place)


@pytest.mark.parametrize("fake", [{"shards": 1}], indirect=True)
async def test_two_processes_split_two_shards_and_each_guild_is_answered_by_its_own(
    fake: FakeDiscord, fake_groq: FakeGroq, redis_url: str
):
    guilds = places(fake, 2)
    prefix = f"shards{os.getpid()}"
    shared = {"redis_key_prefix": prefix, "discord_shard_count": 2}
    async with (
        started(fake, fake_groq, redis_url, discord_shard_ids=(0,), **shared) as zero,
        started(fake, fake_groq, redis_url, discord_shard_ids=(1,), **shared) as one,
    ):
        for shard, bot in enumerate((zero, one)):
            assert [g.id for g in bot.client.guilds] == [guilds[shard].guild]  # only its own guild's events
            assert (bot.client.shard_count, bot.client.shard_ids) == (2, [shard])
        assert [c.shard for c in fake.record.connections] == [(0, 2), (1, 2)]
        for shard, place in enumerate(guilds):
            script_chain(fake_groq, 2)
            await answered_once((zero, one)[shard], place)
        assert not zero.client.ctx.running
        assert not one.client.ctx.running


def start(env: dict[str, str], directory: Path) -> Result:
    """``thinkbot run --only discord`` in ``directory`` (no .env) with credentials, ``env`` and none of our other
    variables."""
    ours = set(os.environ) - set(clean_environment())
    given = {"GROQ_API_KEY": "gsk_test_value_123456", "DISCORD_TOKEN": "token", **env}
    with contextlib.chdir(directory):
        return CliRunner().invoke(cli, ["run", "--only", "discord"], env=dict.fromkeys(ours) | given)


@pytest.mark.parametrize(
    ("env", "named", "says"),
    [
        ({"THINKBOT_DISCORD_SHARD_IDS": "0-3"}, "THINKBOT_DISCORD_SHARD_IDS", "needs THINKBOT_DISCORD_SHARD_COUNT"),
        ({"THINKBOT_DISCORD_SHARD_COUNT": "4", "THINKBOT_DISCORD_SHARD_IDS": "2-4"}, "SHARD_IDS", "from 0 to 3"),
        ({"THINKBOT_DISCORD_SHARD_COUNT": "2", "THINKBOT_DISCORD_SHARD_IDS": "one"}, "SHARD_IDS", "like 0-3"),
        ({"THINKBOT_DISCORD_SHARD_COUNT": "2", "THINKBOT_DISCORD_SHARD_IDS": "1-0"}, "SHARD_IDS", "backwards"),
        ({"THINKBOT_DISCORD_SHARD_COUNT": "0"}, "THINKBOT_DISCORD_SHARD_COUNT", "greater than or equal to 1"),
    ],
)
def test_invalid_shard_settings_stop_the_start_naming_the_variable(
    env: dict[str, str], named: str, says: str, tmp_path: Path
):
    result = start(env, tmp_path)
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert says in result.output


@pytest.mark.parametrize(("given", "ids"), [("0-3", (0, 1, 2, 3)), ("0,2", (0, 2)), (" 3, 0-1 ", (0, 1, 3))])
def test_shard_ids_are_ranges_or_lists(given: str, ids: tuple[int, ...]):
    settings = DiscordSettings(_env_file=None, shard_count=4, shard_ids=given)
    options = settings.options(strategies=("g1",))
    assert (options.shard_count, options.shard_ids) == (4, ids)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("fake", [{"shards": 2, "max_concurrency": 1}], indirect=True)
async def test_readyz_is_503_until_every_held_shard_is_ready(fake: FakeDiscord, fake_groq: FakeGroq, redis_url: str):
    """One IDENTIFY per 5 s window (max_concurrency 1; shortened to 1 s here): shard 1 waits while shard 0 is up."""
    places(fake, 2)
    port = free_port()
    plan = make_plan(fake_groq, redis_url, discord_fake=fake, discord_values={"post_window": 0.2}, health_port=port)
    options = {"guild_ready_timeout": 0.05, "identify_interval": 1.0}
    leave = asyncio.Event()

    async def hold() -> None:
        async with running(plan, discord_options=options):
            await leave.wait()

    task = asyncio.create_task(hold())
    seen: list[tuple[int, bool, list[tuple[int, int] | None]]] = []
    try:
        async with aiohttp.ClientSession() as http, asyncio.timeout(10):
            while not seen or seen[-1][0] != 200:
                shards = [c.shard for c in fake.record.connections]
                try:
                    async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                        body = await response.json()
                        seen.append((response.status, body["checks"].get("discord", False), shards))
                except aiohttp.ClientConnectionError:
                    assert not task.done(), task
                await asyncio.sleep(0.02)
    finally:
        leave.set()
        await asyncio.wait_for(task, 10)
    assert (503, False, [(0, 2)]) in seen  # shard 0 up, shard 1 waiting to identify: not ready
    assert all(status == 503 for status, _, shards in seen if len(shards) < 2)
    assert seen[-1][:2] == (200, True)


async def test_identifies_wait_only_for_their_own_rate_limit_key():
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = IdentifyPacer(interval=5.0, clock=lambda: now[0], sleep=sleep)
    pacer.max_concurrency = 2
    for shard in (0, 1):  # two buckets: both at once
        await pacer.wait(shard)
    assert slept == []
    now[0] += 1.0
    await pacer.wait(2)  # bucket 0 again, 1 s after shard 0: 4 s more
    assert slept == [4.0]
    await pacer.wait(3)  # bucket 1 identified 5 s ago
    assert slept == [4.0]
    pacer.max_concurrency = 1
    await pacer.wait(4)
    assert slept == [4.0, 5.0]
