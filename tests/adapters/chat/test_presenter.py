"""The presenter over an in-memory chat: order kept, nothing lost, steps grouped by content whatever the timing,
never more messages than the thread cap, folded steps at the end, and what does not fit the platform's way (a file
that holds all, or a cut that leaves the answer or the failure its own message); compact display; live progress."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.chat import wording
from adapters.chat.layout import Layout
from adapters.chat.presenter import Presenter
from core.events import ChainFailed, ChainQueued, Event, StepDelta
from core.kinds import FailureKind
from core.request import ThinkRequest
from tests.adapters.chat.board import Board, Script, answer, started, step

ONE = Layout(group_steps=1, progress_every=0)  # a message per step: the cap and folding on their own


async def show(
    board: Board,
    events: list[Event | float],
    *,
    cap: int = 100,
    raises: Exception | None = None,
    layout: Layout | None = None,
) -> Script:
    script = Script(events=events, raises=raises)
    presenter = Presenter(service=script, surface=board, asker="u", thread_messages=cap, layout=layout)  # type: ignore[arg-type]
    await presenter.run(ThinkRequest(question="q"))
    return script


def chain(titles: list[str], pauses: list[float]) -> list[Event | float]:
    events: list[Event | float] = [started()]
    for n, (title, pause) in enumerate(zip(titles, pauses, strict=False), start=1):
        events += [dataclasses.replace(step(n), title=title), pause]
    return [*events, answer(1, steps=len(titles))]


@settings(max_examples=25, deadline=None)
@given(
    titles=st.lists(st.text(alphabet="abcdefgh ", min_size=1, max_size=40), min_size=1, max_size=25),
    pauses=st.lists(st.sampled_from([0.0, 0.001, 0.004]), min_size=25, max_size=25),
    delay=st.sampled_from([0.0, 0.003]),
)
def test_the_same_chain_looks_the_same_whatever_the_timing(
    titles: list[str], pauses: list[float], delay: float
) -> None:
    """Steps arriving at any pace, posts taking any time: the same messages, grouped by content alone."""
    layout = Layout(group_steps=3, group_chars=90, progress_every=0)
    steady, hurried = Board(limit=2000), Board(limit=2000, delay=delay)
    asyncio.run(show(steady, chain(titles, [0.0] * 25), layout=layout))
    asyncio.run(show(hurried, chain(titles, pauses), layout=layout))
    assert hurried.posted == steady.posted
    groups = [m.split("\n") for m in steady.posted[:-1]]
    assert all(len(g) <= 3 and (len(g) == 1 or len("\n".join(g)) <= 90) for g in groups)
    assert [line for g in groups for line in g] == [f"**{n}. {t}**" for n, t in enumerate(titles, start=1)]


async def test_twenty_five_steps_take_nine_messages_of_three_and_the_answer() -> None:
    board = Board(limit=2000)
    script = await show(board, chain([f"Title {n}" for n in range(1, 26)], [0.0] * 25), cap=12)
    assert len(board.posted) == 10
    linked = [script.links[f"m{n}"] for n in range(1, 11)]
    assert linked == [(1, 2, 3), (4, 5, 6), (7, 8, 9), (10, 11, 12), (13, 14, 15), (16, 17, 18), (19, 20, 21),
                      (22, 23, 24), (25,), ()]  # fmt: skip
    assert (script.links["head"], script.threads, board.ends) == ((), ["thread"], ["started", "answered", "closed"])


async def test_long_titles_make_smaller_groups() -> None:
    board = Board(limit=2000)
    titles = ["x" * 50, "y" * 50, "short", "s2", "s3", "z" * 50]
    await show(board, chain(titles, [0.0] * 6), layout=Layout(group_chars=120, progress_every=0))
    assert [m.count("\n") + 1 for m in board.posted[:-1]] == [2, 3, 1]


async def test_parts_that_do_not_join_and_the_limit_keep_messages_apart() -> None:
    board = Board(limit=30, delay=0.02)
    script = await show(board, [started(), step(1), step(2), step(3), step(4, parts=2), answer(1)], layout=Layout())
    assert board.posted == ["**1. Title 1**\n**2. Title 2**", "**3. Title 3**", "**4. Title 4**", "(4 cont. 1)",
                            "answer part 0"]  # fmt: skip
    assert list(script.links.values())[1:] == [(1, 2), (3,), (4,), ()]  # the continuation is not linked


async def test_steps_after_their_share_are_folded_and_follow_at_the_end() -> None:
    board = Board(limit=2000)
    events: list[Event | float] = [started()]
    for n in range(1, 8):
        events += [step(n), 0.01]  # each step has gone out (or been held) before the next arrives
    await show(board, [*events, answer(1)], cap=4, layout=ONE)
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
    await show(board, [*events, answer(3)], cap=4, layout=ONE)
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
    await show(board, [*events, failed], cap=3, layout=ONE)
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
    await show(board, [started(), step(1), 0.01, step(2), 0.01, step(3), 0.01, answer(1)], layout=ONE)
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
    presenter = Presenter(service=script, surface=board, asker="u", thread_messages=12, layout=ONE, showing=showing)  # type: ignore[arg-type]
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
    asyncio.run(show(board, [*events, answer(answer_parts)], cap=limit, layout=Layout(group_chars=50)))
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


async def test_compact_display_posts_the_answer_only() -> None:
    board = Board(limit=2000)
    compact = Layout(display="compact", progress_every=0)
    script = await show(board, chain(["a", "b", "c", "d"], [0.0] * 4), layout=compact)
    assert board.posted == ["answer part 0"]
    assert script.links == {"head": (), "m1": ()}


async def test_compact_display_keeps_no_steps_above_a_failure() -> None:
    board = Board(limit=2000)
    failed = ChainFailed(chain_id="c", kind=FailureKind.DEADLINE, message="Too slow.", steps=(step(1), step(2)))
    await show(board, [started(), step(1), step(2), failed], layout=Layout(display="compact", progress_every=0))
    assert board.posted == ["stopped: Too slow. (0 kept)"]


async def test_progress_shows_the_step_being_thought_and_its_partial_text_until_the_end() -> None:
    board = Board(limit=2000)
    events: list[Event | float] = [
        started(),
        0.12,  # step 1 is thought: progress ticks before it completes
        StepDelta(chain_id="c", index=1, text="Let me "),
        StepDelta(chain_id="c", index=1, text="see"),
        0.08,
        step(1),
        StepDelta(chain_id="c", index=1, text="late"),  # a piece of a step already whole: ignored
        StepDelta(chain_id="c", index=2, text="Then"),
        0.08,
        step(2),
        answer(1, steps=2),
    ]
    await show(board, events, layout=Layout(progress_every=0.03))
    seen = board.progress_seen
    assert (seen[0].step, seen[0].text) == (1, "")  # before the first step is whole
    first = [p for p in seen if p.step == 1]
    assert first[-1].text == "Let me see"
    assert "".join(p.added for p in first) == "Let me see"
    assert [p.text for p in seen if p.step == 2][-1] == "Then"
    assert all(b.elapsed >= a.elapsed for a, b in itertools.pairwise(first))
    assert {p.step for p in seen} == {1, 2}  # nothing once the chain is answered
    assert board.ends == ["started", "answered", "closed"]


async def test_a_cached_chain_shows_no_progress() -> None:
    board = Board(limit=2000)
    replay = dataclasses.replace(started(), cached=True)
    await show(board, [replay, 0.1, step(1), answer(1, steps=1)], layout=Layout(progress_every=0.02))
    assert board.progress_seen == []
