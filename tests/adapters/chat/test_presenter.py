"""The presenter over an in-memory chat: order kept, nothing lost, steps that queue up during a slow post share the
next message, never more messages than the thread cap, folded steps at the end, and what does not fit the
platform's way (a file that holds all, or a cut that leaves the answer or the failure its own message)."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.chat import wording
from adapters.chat.presenter import Presenter
from core.events import ChainFailed, ChainQueued, Event
from core.kinds import FailureKind
from core.request import ThinkRequest
from tests.adapters.chat.board import Board, Script, answer, started, step


async def show(board: Board, events: list[Event | float], *, cap: int = 100, raises: Exception | None = None) -> Script:
    script = Script(events=events, raises=raises)
    presenter = Presenter(service=script, surface=board, asker="u", thread_messages=cap)  # type: ignore[arg-type]
    await presenter.run(ThinkRequest(question="q"))
    return script


async def test_steps_arriving_during_a_slow_post_share_messages_in_order() -> None:
    board = Board(delay=0.05, limit=2000)
    events: list[Event | float] = [started()]
    for n in range(1, 13):
        events += [step(n), 0.01]
    script = await show(board, [*events, answer(1, steps=12)])
    assert "\n".join(board.posted) == "\n".join([f"**{n}. Title {n}**" for n in range(1, 13)] + ["answer part 0"])
    assert 3 <= len(board.posted) < 13
    linked = [script.links[f"m{n}"] for n in range(1, len(board.posted) + 1)]
    assert [n for steps in linked for n in steps] == list(range(1, 13))
    assert linked[-1] == ()  # the answer stands for the whole chain
    assert (script.links["head"], script.threads, board.ends) == ((), ["thread"], ["started", "answered", "closed"])


async def test_parts_that_do_not_join_and_the_limit_keep_messages_apart() -> None:
    board = Board(limit=30, delay=0.02)
    script = await show(board, [started(), step(1), step(2), step(3), step(4, parts=2), answer(1)])
    assert board.posted == ["**1. Title 1**\n**2. Title 2**", "**3. Title 3**", "**4. Title 4**", "(4 cont. 1)",
                            "answer part 0"]  # fmt: skip
    assert list(script.links.values())[1:] == [(1, 2), (3,), (4,), ()]  # the continuation is not linked


async def test_steps_after_their_share_are_folded_and_follow_at_the_end() -> None:
    board = Board(limit=2000)
    events: list[Event | float] = [started()]
    for n in range(1, 8):
        events += [step(n), 0.01]  # each step has gone out (or been held) before the next arrives
    await show(board, [*events, answer(1)], cap=4)
    assert board.posted == [
        "**1. Title 1**",
        "**2. Title 2**",
        "\n".join(f"**{n}. Title {n}**" for n in range(3, 8)),  # held steps, joined into one message
        "answer part 0",
    ]
    assert board.files == []


async def test_a_long_answer_ends_in_a_file_on_the_last_allowed_message() -> None:
    board = Board()
    await show(board, [started(), step(1), 0.01, answer(10)], cap=5)
    assert board.posted == ["**1. Title 1**", "answer part 0", "answer part 1", "answer part 2", "📎 7 parts in a file"]
    assert board.files == ["\n".join(f"answer part {n}" for n in range(3, 10))]


async def test_where_the_overflow_cuts_the_answer_keeps_the_last_message() -> None:
    board = Board(holds_all=False, limit=20)  # one step a message: 12 folded steps take 12 messages
    events: list[Event | float] = [started()]
    for n in range(1, 14):
        events += [step(n), 0.01]
    await show(board, [*events, answer(3)], cap=4)
    assert board.posted == [
        "**1. Title 1**",
        "**2. Title 2**",
        "**3. Title 3** ✂️ 10 parts cut",
        "answer part 0 ✂️ 2 parts cut",
    ]


async def test_a_failure_note_is_never_cut_and_counts_every_step_shown() -> None:
    board = Board(holds_all=False, limit=20)
    events: list[Event | float] = [started(), step(1), 0.01, step(2), 0.01, step(3), 0.01]
    failed = ChainFailed(
        chain_id="c", kind=FailureKind.DEADLINE, message="Too slow.", steps=(step(1), step(2), step(3), step(4))
    )
    await show(board, [*events, failed], cap=3)
    assert board.posted == ["**1. Title 1**", "**2. Title 2** ✂️ 2 parts cut", "stopped: Too slow. (4 kept)"]
    assert board.ends == ["started", "failed", "closed"]


async def test_a_refusal_before_the_start_is_told_and_nothing_is_posted() -> None:
    board = Board()
    refused = ChainFailed(chain_id="c", kind=FailureKind.RATE_LIMITED, message="Slow down.", retry_after=9.0)
    await show(board, [ChainQueued(chain_id="c", position=2), ChainQueued(chain_id="c", position=1), refused])
    assert board.told == ["queued 2", "queued 1", "refused: Slow down."]
    assert board.posted == []


async def test_a_post_the_platform_refuses_ends_the_chain_there() -> None:
    board = Board(refuse_after=2)
    await show(board, [started(), step(1), 0.01, step(2), 0.01, step(3), 0.01, answer(1)])
    assert len(board.posted) == 2
    assert board.ends == ["started", "gave up: no more", "closed"]


async def test_an_error_in_the_service_is_shown_as_ours_with_the_steps_kept() -> None:
    board = Board()
    await show(board, [started(), step(1)], raises=RuntimeError("boom"))
    assert board.posted == ["**1. Title 1**", f"stopped: {wording.OUR_FAULT} (1 kept)"]


async def test_a_chain_stopped_by_shutdown_says_so() -> None:
    board = Board()
    script = Script(events=[started(), step(1), 30.0])
    showing: dict[str, str] = {}
    presenter = Presenter(service=script, surface=board, asker="u", thread_messages=12, showing=showing)  # type: ignore[arg-type]
    task = asyncio.create_task(presenter.run(ThinkRequest(question="q")))
    while not board.posted:  # noqa: ASYNC110 - the board's list, polled
        await asyncio.sleep(0.01)
    assert showing == {"c": "u"}
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert board.ends == ["started", "interrupted", "closed"]
    assert showing == {}


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(min_value=3, max_value=14),
    steps=st.lists(st.integers(min_value=1, max_value=3), max_size=30),
    answer_parts=st.integers(min_value=1, max_value=30),
    pauses=st.lists(st.booleans(), min_size=30, max_size=30),
    holds_all=st.booleans(),
)
def test_never_more_than_the_cap_and_nothing_lost(
    limit: int, steps: list[int], answer_parts: int, pauses: list[bool], holds_all: bool
) -> None:
    events: list[Event | float] = [started()]
    for n, parts in enumerate(steps, start=1):
        events += [step(n, parts=parts), *([0.0] if pauses[n - 1] else [])]
    board = Board(holds_all=holds_all)
    asyncio.run(show(board, [*events, answer(answer_parts)], cap=limit))
    assert len(board.posted) <= limit
    everything = "\n".join(board.posted + board.files) + "\n"
    positions = [everything.find(f"answer part {n}\n") for n in range(answer_parts)]
    if holds_all:  # a file loses nothing, in order
        assert all(f"**{n}. Title {n}**" in everything for n in range(1, len(steps) + 1))
        assert all(p >= 0 for p in positions)
        assert positions == sorted(positions)
    else:  # a cut keeps the start of each, and the answer's start always shows
        assert "answer part 0" in everything
        shown = [n for n in range(1, len(steps) + 1) if f"**{n}. Title {n}**" in everything]
        assert shown == list(range(1, len(shown) + 1))
