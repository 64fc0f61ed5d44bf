"""``thinkbot ask``'s renderer in an interactive terminal: a spinner with the step being thought and the seconds so
far while a chain runs, gone at the end; piped output has none of it. The console writes to a StringIO as a terminal
would get it, and :func:`~tests.adapters.terminal.screen.screen` replays that into the screen a user sees."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from io import StringIO

from rich.console import Console

from adapters.terminal import RichRenderer, ask
from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step, StepDelta
from core.kinds import FailureKind
from core.llm.types import Usage
from core.request import ThinkRequest
from tests.adapters.terminal.screen import screen
from tests.fakes.groq_server import FakeGroq
from tests.service_kit import running_service
from tests.streaming import PIECES, registered

SPINNER_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def terminal() -> tuple[Console, StringIO]:
    out = StringIO()
    return Console(file=out, force_terminal=True, force_interactive=True, width=80, _environ={}), out


def piped() -> tuple[Console, StringIO]:
    out = StringIO()
    return Console(file=out, width=80, _environ={}), out


def wait_for(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


async def async_wait_for(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - what rich's refresh thread writes, polled
            await asyncio.sleep(0.02)


def spinner_line(out: StringIO) -> str:
    """The last line on screen when it is the spinner's, else ''."""
    lines = screen(out.getvalue())
    last = lines[-1] if lines else ""
    return last[2:] if last[:1] in SPINNER_FRAMES and last[1:2] == " " else ""


def cursor_shown(text: str) -> bool:
    return text.rfind("\x1b[?25h") > text.rfind("\x1b[?25l")


def started(cached: bool = False) -> ChainStarted:
    return ChainStarted(chain_id="c1", question="q", strategy="g1", model="m", cached=cached)


def step(index: int, title: str, elapsed: float = 1.0) -> Step:
    return Step(chain_id="c1", index=index, title=title, content="text", elapsed=elapsed, usage=Usage())


def answer(steps: int, *, capped: bool = False) -> FinalAnswer:
    usage = Usage(prompt_tokens=10, completion_tokens=5)
    return FinalAnswer(chain_id="c1", text="Three.", total_time=4.0, usage=usage, steps=steps, capped=capped)


def render(events: list[Event], console: Console) -> None:
    renderer = RichRenderer(console=console, errors=console)
    for event in events:
        renderer.show(event)
    renderer.close()


def test_the_spinner_names_the_step_and_the_seconds_and_is_gone_at_the_end() -> None:
    console, out = terminal()
    clock = Clock()
    renderer = RichRenderer(console=console, errors=console, clock=clock)
    renderer.show(started())
    clock.now += 3
    wait_for(lambda: spinner_line(out) == "Thinking step 1 · 3 s")  # rich's refresh thread counts the seconds
    assert not any(line.startswith("Step 1") for line in screen(out.getvalue()))

    renderer.show(step(1, "Spell the word", elapsed=3.0))
    assert screen(out.getvalue())[-2] == "Step 1 · Spell the word  3.00 s"
    assert spinner_line(out) == "Thinking step 2 · 0 s"
    clock.now += 12
    wait_for(lambda: spinner_line(out) == "Thinking step 2 · 12 s")

    renderer.show(answer(1))
    renderer.close()  # as ask() does: twice is harmless
    final = screen(out.getvalue())
    assert not any("Thinking step" in line for line in final)
    assert final == screen(_piped_text([started(), step(1, "Spell the word", elapsed=3.0), answer(1)]))
    assert cursor_shown(out.getvalue())


def _piped_text(events: list[Event]) -> str:
    console, out = piped()
    render(events, console)
    return out.getvalue()


def test_streamed_text_prints_above_the_spinner_and_stays_as_when_piped() -> None:
    console, out = terminal()
    renderer = RichRenderer(console=console, errors=console, clock=Clock())
    pieces = [StepDelta(chain_id="c1", index=1, text=t) for t in ("Counting the letters ", "one\nby ", "one.")]
    renderer.show(started())
    renderer.show(pieces[0])
    assert screen(out.getvalue())[-2] == "Counting the letters"
    assert spinner_line(out) == "Thinking step 1 · 0 s"
    renderer.show(pieces[1])
    assert screen(out.getvalue())[-3:-1] == ["Counting the letters one", "by"]
    assert spinner_line(out) == "Thinking step 1 · 0 s"
    renderer.show(pieces[2])
    renderer.show(StepDelta(chain_id="c1", index=0, text="late"))  # a piece of a step already whole: ignored
    renderer.show(step(1, "Pass 1"))
    assert screen(out.getvalue())[-3:-1] == ["by one.", "Step 1 · Pass 1  1.00 s"]
    assert spinner_line(out) == "Thinking step 2 · 0 s"
    renderer.show(answer(1))
    events: list[Event] = [started(), *pieces, step(1, "Pass 1"), answer(1)]
    assert screen(out.getvalue()) == screen(_piped_text(events))


def test_piped_output_has_no_spinner_and_a_streamed_step_ends_its_line() -> None:
    console, out = piped()
    pieces = [StepDelta(chain_id="c1", index=1, text=t) for t in PIECES]
    render([started(), *pieces, step(1, "Pass 1"), answer(1)], console)
    text = out.getvalue()
    assert "\x1b" not in text
    assert "Thinking step" not in text
    assert text.splitlines()[1:3] == ["".join(PIECES), "Step 1 · Pass 1  1.00 s"]


def test_a_cached_chain_replays_without_a_spinner() -> None:
    console, out = terminal()
    renderer = RichRenderer(console=console, errors=console)
    renderer.show(started(cached=True))
    time.sleep(0.3)
    assert "Thinking step" not in out.getvalue()
    renderer.show(answer(1))


def test_a_failure_takes_the_spinner_down_before_the_error() -> None:
    console, out = terminal()
    errors, err = piped()
    renderer = RichRenderer(console=console, errors=errors, clock=Clock())
    renderer.show(started())
    renderer.show(step(1, "first"))
    renderer.show(
        ChainFailed(chain_id="c1", kind=FailureKind.LLM_SERVER, message="It broke.", steps=(step(1, "first"),))
    )
    time.sleep(0.3)  # the refresh thread is stopped: nothing redraws the spinner
    assert screen(out.getvalue())[-1] == "Step 1 · first  1.00 s"
    assert "It broke." in err.getvalue()


def test_the_step_cap_is_said_in_the_summary() -> None:
    console, out = piped()
    render([started(), step(1, "one"), step(2, "two"), answer(2, capped=True)], console)
    assert out.getvalue().splitlines()[-1] == "2 steps · stopped at the step cap of 2 · 4.00 s · 15 tokens"
    console, out = piped()
    render([started(), step(1, "one"), answer(1)], console)
    assert "step cap" not in out.getvalue()


def reasoning(title: str, next_action: str = "continue") -> str:
    return json.dumps({"title": title, "content": "reasoning", "next_action": next_action})


async def test_a_real_chain_shows_the_spinner_before_its_first_step_and_says_it_hit_the_cap(
    fake_groq: FakeGroq,
) -> None:
    fake_groq.reply(reasoning("Spell the word"), delay=1.4).reply(reasoning("Count the Rs")).reply("Three.")
    console, out = terminal()
    async with running_service(groq=fake_groq, step_cap=2) as services:
        renderer = RichRenderer(console=console, errors=console)
        asked = asyncio.create_task(ask(services.service, ThinkRequest(question="How many Rs?"), renderer))
        await async_wait_for(lambda: spinner_line(out) == "Thinking step 1 · 1 s")
        assert not any(line.startswith("Step 1") for line in screen(out.getvalue()))
        await asked
    final = screen(out.getvalue())
    assert not any("Thinking step" in line for line in final)
    assert [line[: line.index("  ")] for line in final if line.startswith("Step ")] == [
        "Step 1 · Spell the word",
        "Step 2 · Count the Rs",
    ]
    assert final[-1].startswith("2 steps · stopped at the step cap of 2 · ")


async def test_a_streaming_strategy_streams_above_the_spinner(fake_groq: FakeGroq) -> None:
    console, out = terminal()
    with registered():
        async with running_service(groq=fake_groq, strategy="streaming") as services:
            renderer = RichRenderer(console=console, errors=console)
            asked = asyncio.create_task(ask(services.service, ThinkRequest(question="How many Rs?"), renderer))
            await async_wait_for(lambda: "Counting the letters" in screen(out.getvalue()))
            assert spinner_line(out).startswith("Thinking step 1 · ")
            await asked
    final = screen(out.getvalue())
    assert final[1:5] == ["".join(PIECES), final[2], "".join(PIECES), final[4]]
    assert final[2].startswith("Step 1 · Pass 1")
    assert final[4].startswith("Step 2 · Pass 2")
    assert not any("Thinking step" in line for line in final)


async def test_an_interrupted_ask_leaves_no_spinner_and_shows_the_cursor(fake_groq: FakeGroq) -> None:
    fake_groq.hang()
    console, out = terminal()
    async with running_service(groq=fake_groq) as services:
        renderer = RichRenderer(console=console, errors=console)
        asked = asyncio.create_task(ask(services.service, ThinkRequest(question="How many Rs?"), renderer))
        await async_wait_for(lambda: spinner_line(out).startswith("Thinking step 1"))
        asked.cancel()  # what Ctrl-C does to asyncio.run's task
        await asyncio.wait([asked])
    await asyncio.sleep(0.3)  # a refresh thread left running would draw the spinner again
    text = out.getvalue()
    assert not any("Thinking step" in line for line in screen(text))
    assert cursor_shown(text)
