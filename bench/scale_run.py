"""A scale run: 2 gateways + 3 workers + one Redis, 500 Slack mentions, one worker SIGKILLed mid-way.

Every process is a real one: one redis-server (or ``REDIS_URL``), the fake Groq in its own process answering each
call after ``--delay`` seconds (``bench.fake_groq_process``: ``--steps`` g1 steps, then the answer), the fake Slack
on this process's event loop, two ``thinkbot run --only slack`` gateways in HTTP mode (``THINKBOT_ROLE=gateway``;
each is sent every other event, signed as Slack signs them) and three ``thinkbot worker`` processes
(``THINKBOT_JOB_CLAIM_SECONDS`` small, so a dead worker's jobs are claimed soon). ``--chains`` distinct questions
(so neither the single-flight nor the cache merges two) are sent at once; once a third of the threads show their
first step, one worker gets SIGKILL. The run ends when every thread holds an answer or a failure (or at
``--timeout``), and the fake Slack's record is checked: per thread exactly one ``Answer:`` message, no step shown
twice, no failure note and no ephemeral refusal.

Redis connections per process: ``--redis-connections`` (default 32, the deployed default); a gateway following
hundreds of handed-off chains holds one pooled connection per chain in XREAD BLOCK, so the default pool is
exercised hard (a full pool is refused as busy).

Slack pacing is not what is measured: the bot's own per-channel pacing (``THINKBOT_SLACK_POST_INTERVAL``) and the
fake's per-channel limit are both off, and the chains are spread over ``--channels`` channels anyway. Rate limits
are wide and the daily budget off.

Ideal wall time: a chain is ``steps + 1`` LLM calls one after another (the g1 steps, then the answer), so it cannot
take less than ``(steps + 1) x delay`` (its critical path); and the calls of all chains share the slots that run
chains at once (workers x ``THINKBOT_WORKER_CONCURRENCY``; in the baseline, gateways x
``THINKBOT_MAX_CONCURRENT_CHAINS``), so the whole load cannot take less than
``chains x (steps + 1) x delay / slots``. The ideal is the larger of the two. The worker killed is left out of
neither (its slots were there when the load began); the takeover floor printed beside it is when the last taken-
over chain could at best finish: the kill, plus the claim lease less the heartbeat period (a third of it: the job's
last heartbeat may have come that long before the kill), plus one call.

Baseline in the same run: the same load on the two gateways with ``THINKBOT_ROLE=all`` (each runs its chains
itself) and no workers; the scale run's wall time is also given as a ratio to it.

    python -m bench.scale_run [--chains 500] [--delay 0.1] [--steps 3]

Processes log at WARNING into files of a temporary directory; the figures count the ERROR lines and tracebacks
there, and list the most frequent warnings, failure notes and ephemerals (the bot's wording) when any. With
``SCALE_RUN_DETAIL=1`` the bot's replies in each thread that went wrong go to stderr. Questions are never
printed. Every process started here is killed when the run ends, however it ends (SIGINT and SIGTERM included).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import os
import re
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import aiohttp
from redis.asyncio import Redis

from bench.fake_groq_process import fake_groq_process
from tests.deploy.process import clean_environment
from tests.fakes.slack import FakeSlack, Message, PostOptions
from tests.redis_server import free_port, redis_url_or_server
from tests.service_kit import MODEL

THINKBOT = str(Path(sys.executable).with_name("thinkbot"))
ASKER = "U0ALICE"
ANSWER = "Answer:"
FAILURE = (":warning:", ":octagonal_sign:", ":hourglass:")
STEP_BLOCK = "tb:s:"
PROGRESS = "hourglass_flowing_sand"

_alive: set[int] = set()  # pids of the processes started here and not yet reaped


@atexit.register
def _kill_leftovers() -> None:
    """The last resort: SIGKILL anything started here that is still running when this process exits."""
    for pid in list(_alive):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@dataclass(frozen=True, slots=True)
class Load:
    chains: int
    delay: float
    steps: int
    channels: int
    gateways: int
    workers: int
    worker_concurrency: int
    max_concurrent_chains: int
    claim_seconds: float
    redis_connections: int
    timeout: float

    @property
    def calls(self) -> int:
        return self.steps + 1

    def slots(self, role: str) -> int:
        return (
            self.workers * self.worker_concurrency if role == "gateway" else self.gateways * self.max_concurrent_chains
        )

    def ideal(self, role: str) -> float:
        critical = self.calls * self.delay
        return max(critical, self.chains * self.calls * self.delay / self.slots(role))


@dataclass(slots=True)
class Tally:
    """What the fake Slack's record shows for the asked threads at one moment."""

    started: int = 0  # threads showing at least one reply of the bot
    finished: int = 0  # threads holding an answer or a failure note
    answered_once: int = 0
    many_answers: int = 0  # threads with more than one answer
    repeated_steps: int = 0  # threads showing a step number twice
    failures: int = 0  # threads with a failure note
    ephemerals: int = 0


@dataclass(slots=True)
class Outcome:
    label: str
    role: str
    tally: Tally
    wall: float
    ideal: float
    undelivered: int = 0
    killed_at: float | None = None  # seconds into the run
    taken_over: int | None = None  # jobs the killed worker held
    left_pending: int | None = None  # of those, still pending on it at the end
    log_errors: int = 0
    timed_out: bool = False
    notes: list[str] = field(default_factory=list)  # the bot's failure notes and ephemerals (its own wording)
    log_lines: list[str] = field(default_factory=list)  # WARNING and ERROR lines, masked
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds during the run, by kind of process


class Fleet:
    """The thinkbot processes of one load: started with their stderr in a file each, all killed on :meth:`close`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self._logs: dict[str, IO[bytes]] = {}
        self._cpu: dict[str, float] = {}

    async def start(self, name: str, argv: Sequence[str], env: dict[str, str]) -> asyncio.subprocess.Process:
        log = (self.directory / f"{name}.log").open("wb")
        self._logs[name] = log
        process = await asyncio.create_subprocess_exec(
            THINKBOT,
            *argv,
            env=env,
            cwd=self.directory,  # no .env of the checkout is read
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
        _alive.add(process.pid)
        self.processes[name] = process
        return process

    async def ready(self, http: aiohttp.ClientSession, name: str, url: str, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        process = self.processes[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{name} not ready after {timeout:.0f} s:\n{self.tail(name)}")

    def kill(self, name: str) -> None:
        process = self.processes[name]
        if process.returncode is None:
            self.cpu_seconds(name)
            process.send_signal(signal.SIGKILL)

    def cpu_seconds(self, name: str) -> float:
        """CPU time (user + system) of a process so far, from /proc; the last figure read once it has exited."""
        process = self.processes[name]
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            self._cpu[name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return self._cpu.get(name, 0.0)

    def tail(self, name: str, lines: int = 15) -> str:
        """The end of a process's log (the project's logs hold no question text nor secrets)."""
        self._logs[name].flush()
        text = (self.directory / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def log_lines(self) -> list[str]:
        """WARNING and ERROR lines of every log, numbers and ids masked so that alike lines group (the project's
        logs hold no question text nor secrets)."""
        found: list[str] = []
        for name in self.processes:
            text = (self.directory / f"{name}.log").read_text(errors="replace")
            for line in text.splitlines():
                if " WARNING " in line or " ERROR " in line:
                    line = re.sub(r"[0-9a-f]{6,}|[0-9]+", "#", line.split(" ", 2)[-1])
                    found.append(f"{name.rstrip('0123456789')}: {line[:160]}")
        return found

    def log_errors(self) -> int:
        """ERROR lines and tracebacks in every log."""
        count = 0
        for name in self.processes:
            text = (self.directory / f"{name}.log").read_text(errors="replace")
            count += sum(1 for line in text.splitlines() if " ERROR " in line or line.startswith("Traceback"))
        return count

    async def close(self) -> None:
        """SIGTERM every process still running, SIGKILL those not gone within a few seconds; reap all."""
        for process in self.processes.values():
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                await asyncio.wait_for(process.wait(), 8.0)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
            _alive.discard(process.pid)
        for log in self._logs.values():
            log.close()


def step_numbers(replies: Sequence[Message]) -> list[int]:
    lines = [b["text"]["text"] for m in replies for b in m.blocks if b.get("block_id", "").startswith(STEP_BLOCK)]
    return [int(line.split("*")[1].removeprefix("Step ")) for line in lines]


def tally(slack: FakeSlack, asked: set[tuple[str, str]]) -> Tally:
    """One pass over every message the fake holds, grouped by thread."""
    threads: dict[tuple[str, str], list[Message]] = {}
    for message in slack.record.messages():
        if message.is_reply and message.bot_id is not None and message.thread_ts is not None:
            threads.setdefault((message.channel, message.thread_ts), []).append(message)
    result = Tally(ephemerals=len(slack.record.ephemerals))
    for key in asked:
        replies = threads.get(key, [])
        if not replies:
            continue
        result.started += 1
        answers = sum(m.text.startswith(ANSWER) for m in replies)
        failed = any(m.text.startswith(FAILURE) for m in replies)
        numbers = step_numbers(replies)
        result.finished += bool(answers or failed)
        result.answered_once += answers == 1
        result.many_answers += answers > 1
        result.failures += failed
        result.repeated_steps += len(numbers) != len(set(numbers))
    return result


def notes(slack: FakeSlack) -> list[str]:
    """The start of each failure note and ephemeral the bot posted: the bot's wording, never a question."""
    found = [m.text for m in slack.record.messages() if m.bot_id is not None and m.text.startswith(FAILURE)]
    found += [e.text for e in slack.record.ephemerals]
    return [text[:100] for text in found]


def detail(slack: FakeSlack, asked: set[tuple[str, str]]) -> None:
    """To stderr: the bot's replies (never the question) in each thread with a repeated step, a second answer or a
    failure note."""
    for channel, ts in sorted(asked):
        replies = [m for m in slack.record.thread(channel, ts) if m.bot_id is not None]
        numbers = step_numbers(replies)
        answers = sum(m.text.startswith(ANSWER) for m in replies)
        if len(numbers) != len(set(numbers)) or answers > 1 or any(m.text.startswith(FAILURE) for m in replies):
            print(f"thread {channel} {ts}: steps {numbers}", file=sys.stderr)
            for m in replies:
                print(f"    {m.ts} edits={m.edits} {m.text[:70]!r}", file=sys.stderr)


def jobs_stream(prefix: str) -> str:
    return f"{prefix}:jobs"  # core.state.keys.Keys.key("jobs")


async def pending_of(redis: Redis, stream: str, pid: int) -> int:
    """Jobs pending on the worker process ``pid`` (its consumer name is ``<host>-<pid>-<random>``)."""
    summary = await redis.xpending(stream, "workers")
    for consumer in summary.get("consumers") or ():
        name = consumer["name"].decode() if isinstance(consumer["name"], bytes) else consumer["name"]
        if f"-{pid}-" in name:
            return int(consumer["pending"])
    return 0


async def redis_cpu_seconds(redis: Redis) -> float:
    info = await redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def questions(count: int) -> Iterator[str]:
    """Distinct questions, none about strawberries (the g1 prompt treats those apart)."""
    tag = uuid.uuid4().hex[:8]
    for n in range(count):
        yield f"What is {n + 11} times {n % 97 + 3}? Show the working ({tag}-{n})."


def environment(load: Load, *, role: str, groq: tuple[str, str], redis_url: str, prefix: str) -> dict[str, str]:
    base_url, api_key = groq
    return clean_environment(
        GROQ_API_KEY=api_key,
        GROQ_BASE_URL=base_url,
        THINKBOT_MODEL=MODEL,
        REDIS_URL=redis_url,
        THINKBOT_REDIS_KEY_PREFIX=prefix,
        THINKBOT_REDIS_MAX_CONNECTIONS=str(load.redis_connections),
        THINKBOT_ROLE=role,
        THINKBOT_LOG_LEVEL="WARNING",
        THINKBOT_USER_RATE="1000000/1s",
        THINKBOT_PLACE_RATE="1000000/1s",
        THINKBOT_DAILY_TOKEN_BUDGET="0",  # noqa: S106 - a budget (0: off), not a password
        THINKBOT_MAX_CONCURRENT_CHAINS=str(load.max_concurrent_chains),
        THINKBOT_WORKER_CONCURRENCY=str(load.worker_concurrency),
        THINKBOT_JOB_CLAIM_SECONDS=str(load.claim_seconds),
        THINKBOT_SHUTDOWN_GRACE="2",
    )


async def run_load(
    load: Load, *, role: str, groq: tuple[str, str], redis_url: str, directory: Path, kill: bool
) -> Outcome:
    prefix = f"bench-scale-{uuid.uuid4().hex[:10]}"
    env = environment(load, role=role, groq=groq, redis_url=redis_url, prefix=prefix)
    workers = load.workers if role == "gateway" else 0
    label = f"{load.gateways} gateways + {workers} workers" if workers else f"{load.gateways} gateways, role all"
    fleet = Fleet(directory)
    async with (
        FakeSlack(post_interval=0.0) as slack,
        aiohttp.ClientSession() as http,
        Redis.from_url(redis_url) as redis,
    ):
        try:
            ws = slack.workspace
            urls: list[str] = []
            for n in range(load.gateways):
                port = free_port()
                slack_env = {
                    "SLACK_BOT_TOKEN": ws.bot_token,
                    "SLACK_SIGNING_SECRET": ws.signing_secret,
                    "SLACK_API_URL": slack.api_url,
                    "THINKBOT_SLACK_HOST": "127.0.0.1",
                    "THINKBOT_SLACK_POST_INTERVAL": "0",
                    "PORT": str(port),
                }
                await fleet.start(f"gateway{n}", ["run", "--only", "slack"], env | slack_env)
                urls.append(f"http://127.0.0.1:{port}")
            worker_urls: list[str] = []
            for n in range(workers):
                port = free_port()
                await fleet.start(f"worker{n}", ["worker"], env | {"PORT": str(port)})
                worker_urls.append(f"http://127.0.0.1:{port}")
            names = [f"gateway{n}" for n in range(load.gateways)] + [f"worker{n}" for n in range(workers)]
            await asyncio.gather(*(fleet.ready(http, n, u) for n, u in zip(names, urls + worker_urls, strict=True)))
            outcome = await drive(load, slack, urls, fleet, redis, prefix, role=role, kill=kill and workers > 0)
            outcome.label = label
        finally:
            await fleet.close()
        outcome.log_errors = fleet.log_errors()
        outcome.log_lines = fleet.log_lines()
    return outcome


async def drive(
    load: Load,
    slack: FakeSlack,
    urls: list[str],
    fleet: Fleet,
    redis: Redis,
    prefix: str,
    *,
    role: str,
    kill: bool,
) -> Outcome:
    events: list[tuple[int, dict[str, Any]]] = []
    asked: set[tuple[str, str]] = set()
    for n, text in enumerate(questions(load.chains)):
        channel = f"C{n % load.channels:08d}"
        mention = slack.users.mention(channel=channel, user=ASKER, text=text)
        assert mention.message is not None
        asked.add((channel, mention.message.ts))
        events.append((n % len(urls), mention.payload))
    posters = [slack.signed_poster(f"{url}/slack/events") for url in urls]
    undelivered = 0
    gate = asyncio.Semaphore(100)

    async def send(gateway: int, payload: dict[str, Any]) -> None:
        nonlocal undelivered
        async with gate:
            try:
                reply = await posters[gateway].post_event(payload, PostOptions(timeout=15.0))
                undelivered += reply.status >= 300
            except (TimeoutError, aiohttp.ClientError):
                undelivered += 1

    outcome = Outcome(label="", role=role, tally=Tally(), wall=0.0, ideal=load.ideal(role))
    doomed = fleet.processes.get("worker0") if kill else None
    stream = jobs_stream(prefix)
    redis_cpu = await redis_cpu_seconds(redis)
    own_cpu = time.process_time()
    began = time.monotonic()
    sending = asyncio.gather(*(send(g, p) for g, p in events))
    try:
        while True:
            now = tally(slack, asked)
            elapsed = time.monotonic() - began
            if doomed is not None and outcome.killed_at is None and now.started * 3 >= load.chains:
                fleet.kill("worker0")
                await doomed.wait()
                outcome.killed_at = elapsed
                outcome.taken_over = await pending_of(redis, stream, doomed.pid)
            if now.finished + now.ephemerals >= load.chains:
                break
            if elapsed > load.timeout:
                outcome.timed_out = True
                break
            await asyncio.sleep(0.1)
        outcome.wall = time.monotonic() - began
        await sending
        kinds = ("gateway", "worker")
        outcome.cpu = {kind: sum(fleet.cpu_seconds(n) for n in fleet.processes if n.startswith(kind)) for kind in kinds}
        outcome.cpu["fake Slack + driver"] = time.process_time() - own_cpu
        outcome.cpu["redis"] = await redis_cpu_seconds(redis) - redis_cpu
    finally:
        for poster in posters:
            await poster.close()
    await asyncio.sleep(1.0)  # let anything late (a second answer, a repeated step) show before counting
    outcome.tally = tally(slack, asked)
    outcome.notes = notes(slack)
    if os.environ.get("SCALE_RUN_DETAIL"):
        detail(slack, asked)
    outcome.undelivered = undelivered
    if doomed is not None and outcome.killed_at is not None:
        outcome.left_pending = await pending_of(redis, stream, doomed.pid)
    return outcome


def report(load: Load, outcomes: list[Outcome]) -> None:
    print(
        f"{load.chains} chains of {load.steps} g1 steps + the answer ({load.calls} LLM calls, {load.delay * 1000:.0f} "
        f"ms each) over {load.channels} Slack channels, pacing off; claim after {load.claim_seconds:g} s; "
        f"{load.worker_concurrency} chains per worker, {load.max_concurrent_chains} per gateway (role all); "
        f"{load.redis_connections} Redis connections per process"
    )
    header = (
        f"{'run':28} {'answered once':>13} {'dup':>4} {'fail':>4} {'unans':>5} {'wall':>8} {'ideal':>7} {'ratio':>7} "
        f"{'taken over':>10} {'log err':>7}"
    )
    print(header)
    for o in outcomes:
        t = o.tally
        unanswered = load.chains - t.finished
        dup = t.many_answers + t.repeated_steps
        fail = t.failures + t.ephemerals + o.undelivered
        taken = "-" if o.taken_over is None else str(o.taken_over)
        print(
            f"{o.label:28} {t.answered_once:>13} {dup:>4} {fail:>4} {unanswered:>5} {o.wall:7.2f}s "
            f"{o.ideal:6.2f}s {o.wall / o.ideal:6.1f}x {taken:>10} {o.log_errors:>7}"
        )
    for o in outcomes:
        spent = ", ".join(f"{kind} {seconds:.1f}" for kind, seconds in o.cpu.items())
        print(f"  CPU seconds in {o.label}: {spent} (this machine: {os.cpu_count()} cores)")
    scale = next((o for o in outcomes if o.role == "gateway"), None)
    base = next((o for o in outcomes if o.role == "all"), None)
    if scale is not None and scale.killed_at is not None:
        floor = scale.killed_at + load.claim_seconds * 2 / 3 + load.delay
        print(
            f"worker0 SIGKILLed {scale.killed_at:.2f} s in, holding {scale.taken_over} jobs "
            f"({scale.left_pending} still pending on it at the end); takeover floor {floor:.2f} s"
        )
    if scale is not None and base is not None:
        print(f"scale run / baseline wall time: {scale.wall / base.wall:.2f}x")
    for o in outcomes:
        t = o.tally
        if o.timed_out or t.many_answers or t.repeated_steps or t.failures or t.ephemerals or o.undelivered:
            print(
                f"  {o.label}: timed out {o.timed_out}; threads with >1 answer {t.many_answers}, repeated steps "
                f"{t.repeated_steps}, failure notes {t.failures}; ephemerals {t.ephemerals}; undelivered events "
                f"{o.undelivered}"
            )
        for what, lines in (("failure notes and ephemerals", o.notes), ("warnings and errors logged", o.log_lines)):
            if lines:
                print(f"  {o.label}: {len(lines)} {what}; the most frequent:")
                for line, count in Counter(lines).most_common(6):
                    print(f"    {count:4} x {line}")


async def measure(load: Load, *, baseline: bool) -> list[Outcome]:
    outcomes: list[Outcome] = []
    with (
        tempfile.TemporaryDirectory(prefix="scale-run-") as tmp,
        fake_groq_process(steps=load.steps, delay=load.delay) as groq,
        redis_url_or_server() as redis_url,
    ):
        runs = [("gateway", "scale", True)] + ([("all", "base", False)] if baseline else [])
        for role, name, kill in runs:
            where = Path(tmp) / name
            outcomes.append(await run_load(load, role=role, groq=groq, redis_url=redis_url, directory=where, kill=kill))
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_run", description=__doc__.splitlines()[0])
    parser.add_argument("--chains", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds the fake Groq takes per call")
    parser.add_argument("--steps", type=int, default=3, help="g1 steps per chain (then one answer call)")
    parser.add_argument("--channels", type=int, default=100, help="Slack channels the chains are spread over")
    parser.add_argument("--worker-concurrency", type=int, default=200)
    parser.add_argument("--max-concurrent-chains", type=int, default=1000, help="per gateway")
    parser.add_argument("--claim-seconds", type=float, default=2.0)
    parser.add_argument("--redis-connections", type=int, default=32, help="THINKBOT_REDIS_MAX_CONNECTIONS")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for every answer")
    parser.add_argument("--no-baseline", action="store_true", help="skip the THINKBOT_ROLE=all baseline")
    args = parser.parse_args()
    load = Load(
        chains=args.chains,
        delay=args.delay,
        steps=args.steps,
        channels=args.channels,
        gateways=2,
        workers=3,
        worker_concurrency=args.worker_concurrency,
        max_concurrent_chains=args.max_concurrent_chains,
        claim_seconds=args.claim_seconds,
        redis_connections=args.redis_connections,
        timeout=args.timeout,
    )
    for sig in (signal.SIGINT, signal.SIGTERM):  # both stop the run as Ctrl-C does, so every process is ended
        signal.signal(sig, signal.default_int_handler)
    try:
        outcomes = asyncio.run(measure(load, baseline=not args.no_baseline))
    except KeyboardInterrupt:
        print("interrupted; every process started here is stopped", file=sys.stderr)
        sys.exit(130)
    report(load, outcomes)


if __name__ == "__main__":
    main()
