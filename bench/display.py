"""What each display mode costs a 25-step chain at the platforms' real pace: messages, API writes, 429s, and how
soon the asker sees progress and the answer.

One scripted 25-step g1 chain (each LLM call answered after ``--latency`` seconds) is asked once per platform and
display mode through the production start path (``tests.run_kit``) against the fake Discord (5 messages per 5 s
per channel) and the fake Slack (about 1 post a second per channel, small bursts), with a real redis-server.
Baseline in the same run: each platform's default ``thread`` display; every other mode is given as a ratio to it.

    python -m bench.display [--latency 0.15]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from adapters.chat.layout import Layout
from tests.adapters.discord.conftest import Place, script_chain, started
from tests.adapters.slack.conftest import CHANNEL, FAST, harness
from tests.fakes.discord import FakeDiscord
from tests.fakes.groq_server import FakeGroq
from tests.fakes.slack import FakeSlack
from tests.redis_server import redis_url_or_server

STEPS = 25
QUESTION = "Twenty-five steps, please"
ANSWER = "The answer is 25."
SLACK_WRITES = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.delete",
        "chat.startStream",
        "chat.appendStream",
        "chat.stopStream",
        "assistant.threads.setStatus",
        "reactions.add",
        "reactions.remove",
    }
)


@dataclass(frozen=True, slots=True)
class Run:
    platform: str
    display: str
    progress: float  # seconds from the question until live progress shows (the step being thought)
    answer: float  # seconds until the answer shows
    messages: int  # new messages the bot posted for the chain (header and thread)
    writes: int  # write calls to the platform's API
    rate_limited: int  # 429s


def _prefix() -> str:
    """A Redis key prefix of its own for each run, so no run replays another's cached answer."""
    return f"bench-display-{uuid.uuid4().hex[:12]}"


TIMEOUT = 120.0  # seconds a chain may take to show


async def discord(groq: FakeGroq, redis_url: str, display: str, latency: float) -> Run:
    async with FakeDiscord(rate_window=5.0) as fake:
        guild = fake.add_guild("Thinkers")
        channel = fake.add_text_channel(guild, "general")
        place = Place(guild=guild, channel=channel, alice=fake.add_user("alice", guilds=[guild]), bob=0)
        script_chain(groq, STEPS, answer=ANSWER, delay=latency)
        async with started(fake, groq, redis_url, discord_display=display, discord_post_window=5.0,
                           step_cap=STEPS, redis_key_prefix=_prefix()) as bot:  # fmt: skip
            began = time.monotonic()
            bot.think(place, QUESTION, fresh=True)

            def header(text: str) -> bool:
                return any(text in m.content for m in fake.record.messages(channel))

            await fake.wait_until(lambda: header("· thinking step"), timeout=TIMEOUT, what="live progress")
            progress = time.monotonic() - began
            await fake.wait_until(lambda: header(ANSWER), timeout=TIMEOUT, what="the answer")
            answer = time.monotonic() - began
            await bot.idle()
        created = [e for e in fake.record.message_events if e.action == "create"]
        writes = [r for r in fake.record.requests if r.method in {"POST", "PATCH", "PUT", "DELETE"}]
        return Run("Discord", display, progress, answer, len(created), len(writes), fake.record.count_429)


async def slack(groq: FakeGroq, redis_url: str, display: str, latency: float) -> Run:
    options = replace(FAST, post_interval=1.0, layout=Layout(display="compact" if display == "compact" else "thread"),
                      stream=display == "stream")  # fmt: skip
    script_chain(groq, STEPS, answer=ANSWER, delay=latency)
    async with (
        FakeSlack(post_interval=1.0) as fake,
        harness(fake, groq, redis_url=redis_url, options=options, step_cap=STEPS, redis_key_prefix=_prefix()) as h,
    ):
        began = time.monotonic()
        question = await h.ask(QUESTION)

        def shown(check: Callable[[str], bool]) -> bool:
            texts = [m.text for m in fake.record.thread(CHANNEL, question.ts)]
            return any(check(text) for text in texts)

        def thinking() -> bool:
            live = [s for s in fake.record.streams(CHANNEL) if s.thread_ts == question.ts and s.streaming]
            return bool(fake.record.status(CHANNEL, question.ts)) or bool(live) or shown(lambda t: "Thinking step" in t)

        await fake.record.wait_for(thinking, timeout=TIMEOUT, what="live progress")
        progress = time.monotonic() - began
        await fake.record.wait_for(lambda: shown(lambda text: ANSWER in text), timeout=TIMEOUT, what="the answer")
        answer = time.monotonic() - began
        await h.bot.wait_idle()
        posted = [m for m in fake.record.messages(CHANNEL) if m.user != question.user]
        writes = [c for c in fake.record.calls if c.method in SLACK_WRITES]
        return Run("Slack", display, progress, answer, len(posted), len(writes), len(fake.record.rate_limited))


async def measure(latency: float) -> list[Run]:
    runs: list[Run] = []
    with FakeGroq() as groq, redis_url_or_server() as redis_url:
        for display in ("thread", "compact"):
            runs.append(await discord(groq, redis_url, display, latency))
        for display in ("thread", "compact", "stream"):
            runs.append(await slack(groq, redis_url, display, latency))
    return runs


def report(runs: list[Run], latency: float) -> None:
    print(f"A {STEPS}-step chain, each LLM call answered after {latency * 1000:.0f} ms; ratios against the "
          "platform's thread display in this run")  # fmt: skip
    print(f"{'platform':8} {'display':8} {'progress':>9} {'answer':>16} {'messages':>9} {'writes':>14} {'429s':>5}")
    base = {run.platform: run for run in runs if run.display == "thread"}
    for run in runs:
        b = base[run.platform]
        answer = f"{run.answer:.1f} s ({run.answer / b.answer:.2f}x)"
        writes = f"{run.writes} ({run.writes / b.writes:.2f}x)"
        print(f"{run.platform:8} {run.display:8} {run.progress:7.2f} s {answer:>16} {run.messages:>9} {writes:>14} "
              f"{run.rate_limited:>5}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.display", description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.15, help="seconds the fake Groq takes per call")
    args = parser.parse_args()
    report(asyncio.run(measure(args.latency)), args.latency)


if __name__ == "__main__":
    main()
