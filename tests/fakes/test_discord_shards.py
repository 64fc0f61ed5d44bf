"""The fake Discord's shards: GET /gateway/bot, IDENTIFY's ``shard`` field (4010, 4011), and each guild's events
reaching only its shard (DMs shard 0), checked with a bare websocket and with discord.py's AutoShardedClient."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest

from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.harness import connected

pytestmark = pytest.mark.timeout(20)

INTENTS = (1 << 0) | (1 << 9) | (1 << 10) | (1 << 12) | (1 << 13)  # guilds, messages and reactions, in DMs too


class Gateway:
    """One bare gateway connection: what it received, and how it was closed."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[tuple[str, dict[str, Any]]] = []

    async def identify(self, token: str, shard: Any = None) -> None:
        hello = await self.ws.receive_json()
        assert hello["op"] == 10
        data: dict[str, Any] = {"token": token, "intents": INTENTS, "properties": {}}
        if shard is not None:
            data["shard"] = shard
        await self.ws.send_json({"op": 2, "d": data})

    async def read(self, *, until: str | None = None, timeout: float = 0.3) -> None:  # noqa: ASYNC109
        """Collect dispatches until ``until`` arrives (or, without it, for ``timeout`` seconds)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout if until is None else 5.0):
                while True:
                    message = await self.ws.receive()
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        return
                    payload = json.loads(message.data)
                    if payload["op"] == 0:
                        self.events.append((payload["t"], payload["d"]))
                        if payload["t"] == until:
                            return

    def named(self, event: str) -> list[dict[str, Any]]:
        return [data for name, data in self.events if name == event]


@contextlib.asynccontextmanager
async def gateway(fake: FakeDiscord, shard: Any = None) -> AsyncIterator[Gateway]:
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.gateway_url) as ws:
        socket = Gateway(ws)
        await socket.identify(fake.token, shard)
        yield socket


async def close_code(fake: FakeDiscord, shard: Any) -> int | None:
    async with gateway(fake, shard) as socket:
        message = await socket.ws.receive(timeout=5)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), message
        return socket.ws.close_code


async def test_gateway_bot_tells_the_recommended_shards_and_the_session_start_limit():
    async with FakeDiscord(shards=3, max_concurrency=2) as fake, aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bot {fake.token}"}
        async with http.get(fake.api_base + "/gateway/bot", headers=headers) as response:
            first = await response.json()
        assert first["url"] == fake.gateway_url
        assert first["shards"] == 3
        limit = first["session_start_limit"]
        assert set(limit) == {"total", "remaining", "reset_after", "max_concurrency"}
        assert (limit["total"], limit["max_concurrency"]) == (1000, 2)
        async with gateway(fake, [0, 3]) as socket:
            await socket.read(until="READY")
        fake.sharding.recommended = 4
        async with http.get(fake.api_base + "/gateway/bot", headers=headers) as response:
            second = await response.json()
        assert second["shards"] == 4
        assert second["session_start_limit"]["remaining"] == limit["remaining"] - 1  # one IDENTIFY spent one


@pytest.mark.parametrize("shard", [[2, 2], [-1, 2], [0, 0], [0], [0, 2, 1], ["0", 2], [True, 2], "0,2"])
async def test_an_invalid_shard_closes_the_connection_with_4010(shard: Any):
    async with FakeDiscord() as fake:
        assert await close_code(fake, shard) == 4010
        assert fake.record.connections == []


async def test_a_session_past_the_guild_threshold_must_shard_4011():
    async with FakeDiscord(guilds_per_shard=1) as fake:
        first, second = fake.add_guild("A", shard=(0, 2)), fake.add_guild("B", shard=(1, 2))
        assert await close_code(fake, None) == 4011  # both guilds on one session
        assert await close_code(fake, [0, 1]) == 4011
        async with gateway(fake, [1, 2]) as socket:
            await socket.read(until="READY")
            await socket.read()
        assert [g["id"] for g in socket.named("READY")[0]["guilds"]] == [str(second)]
        assert socket.named("READY")[0]["shard"] == [1, 2]
        assert [g["id"] for g in socket.named("GUILD_CREATE")] == [str(second)]
        assert str(first) not in json.dumps(socket.events)
        assert fake.record.connections[-1].shard == (1, 2)


async def test_each_guilds_events_reach_only_its_shard_and_dms_shard_zero():
    async with FakeDiscord() as fake:
        guilds = [fake.add_guild(f"G{n}", shard=(n, 2)) for n in (0, 1)]
        assert [(g >> 22) % 2 for g in guilds] == [0, 1]
        channels = [fake.add_text_channel(g) for g in guilds]
        alice = fake.add_user("alice", guilds=guilds)
        dm = fake.dm_channel(alice)
        fake.ctx.commands.overwrite([{"name": "think", "description": "Think", "type": 1}], None)
        async with gateway(fake, [0, 2]) as zero, gateway(fake, [1, 2]) as one, gateway(fake) as whole:
            for socket in (zero, one, whole):
                await socket.read(until="READY")
            posted = [fake.send_message(c, f"hello {n}", user_id=alice) for n, c in enumerate(channels)]
            for channel, message in zip(channels, posted, strict=True):
                fake.add_reaction(channel, message, "👍", user_id=alice)
                fake.run_command("think", user_id=alice, channel_id=channel, options={})
            fake.send_message(dm, "a DM", user_id=alice)
            for socket in (zero, one, whole):
                await socket.read()
        for shard, socket in enumerate((zero, one)):
            assert [g["id"] for g in socket.named("GUILD_CREATE")] == [str(guilds[shard])]
            for event in ("MESSAGE_CREATE", "MESSAGE_REACTION_ADD", "INTERACTION_CREATE"):
                seen = [data["channel_id"] for data in socket.named(event)]
                expected = [str(channels[shard])] + ([str(dm)] if event == "MESSAGE_CREATE" and shard == 0 else [])
                assert seen == expected, (shard, event)
        assert len(whole.named("MESSAGE_CREATE")) == 3  # a session without a shard gets everything
        assert len(whole.named("INTERACTION_CREATE")) == 2


class Sharded(discord.AutoShardedClient):
    """discord.py's own sharded client; identifies its shards back to back (the fake does not pace them)."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


async def test_discord_pys_sharded_client_takes_the_recommended_count_and_sees_each_guild_on_its_shard():
    async with FakeDiscord(shards=2, max_concurrency=2) as fake:
        guilds = [fake.add_guild(f"G{n}", shard=(n, 2)) for n in (0, 1)]
        client = Sharded(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with connected(client, fake):
            assert client.shard_count == 2
            assert sorted(client.shards) == [0, 1]
            assert [client.get_guild(g).shard_id for g in guilds] == [0, 1]  # type: ignore[union-attr]
        assert sorted(c.shard for c in fake.record.connections) == [(0, 2), (1, 2)]


async def test_discord_py_holding_one_shard_of_two_gets_only_that_shards_guilds():
    async with FakeDiscord(shards=2) as fake:
        guilds = [fake.add_guild(f"G{n}", shard=(n, 2)) for n in (0, 1)]
        client = Sharded(intents=discord.Intents.default(), guild_ready_timeout=0.05, shard_count=2, shard_ids=[1])
        async with connected(client, fake):
            assert [g.id for g in client.guilds] == [guilds[1]]
        assert [c.shard for c in fake.record.connections] == [(1, 2)]
