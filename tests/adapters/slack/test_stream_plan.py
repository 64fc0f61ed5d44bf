"""What a streamed message shows, checked against the fake Slack's own rules for streamed messages: the plan's
tasks in order, the answer after them, every limit kept whatever the text, and where streams were refused."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.refusals import Refusals
from adapters.slack.stream_plan import ANSWER_ROOM, MORE, StreamPlan
from adapters.slack.stream_render import MAX_TASKS, MESSAGE_TEXT, Chunk, answer_markdown
from core.events import FinalAnswer, Step
from core.llm.types import Usage
from tests.adapters.chat.hostile import hostile
from tests.fakes.slack.stream_state import StreamedMessage, check_chunks

RAW_CONTROL = re.compile(r"<[!@#]")  # what Slack would read as a mention or a link


def step(index: int, title: str = "Count", content: str = "It is 4.") -> Step:
    return Step(chain_id="c1", index=index, title=title, content=content, elapsed=1.5, usage=Usage())


def answer(text: str = "The answer is **4**.", steps: int = 25) -> FinalAnswer:
    return FinalAnswer(chain_id="c1", text=text, total_time=9.5, usage=Usage(10, 20), steps=steps)


def shown(*calls: list[Chunk]) -> StreamedMessage:
    """The message the fake Slack builds from these calls' chunks (its rules raise on anything it refuses)."""
    message = StreamedMessage(channel="C0GENERAL", ts="1.000200", thread_ts="1.000100", mode="plan")
    for chunks in calls:
        message = message.with_chunks(check_chunks(chunks))
    return message


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def size(message: StreamedMessage) -> int:
    texts = [message.title, message.markdown, *(t.title + t.details + t.output for t in message.tasks)]
    return sum(map(utf16, texts))


def test_25_steps_are_25_complete_tasks_in_order_then_the_answer() -> None:
    plan = StreamPlan()
    calls = [plan.start()]
    for n in range(1, 26):
        calls.append(plan.step(step(n, title=f"Think {n}", content=f"Thought {n}.")))
    final = plan.answer(answer_markdown(answer(), expand="mag"))
    assert final is not None
    message = shown(*calls, final)
    assert [(t.id, t.title, t.status, t.details) for t in message.tasks] == [
        (f"step-{n}", f"Step {n} · Think {n} · 1.5 s", "complete", f"Thought {n}.") for n in range(1, 26)
    ]
    assert message.markdown_after_tasks.startswith("The answer is **4**.\n\n_25 steps · 9.5 s · 30 tokens")
    assert message.view()[0] == "[plan] Thinking step by step"


def test_the_step_in_progress_shows_the_end_of_what_is_written_then_becomes_whole() -> None:
    plan = StreamPlan()
    start = plan.start()
    assert shown(start).tasks[0].status == "in_progress"
    assert plan.thinking(1, "First I read", new=False) == []  # nothing new to show
    partial = plan.thinking(1, "First I read the <!channel> question " + "x" * 400, new=True)
    [task] = shown(start, partial).tasks
    assert (task.status, len(task.details) <= 256, task.details.endswith("x" * 100)) == ("in_progress", True, True)
    assert plan.thinking(3, "ahead of step 2", new=True) == []  # only the next step, so tasks keep their order
    done = plan.step(step(1))
    nxt = plan.thinking(2, "", new=False)
    late = plan.thinking(1, "a late piece", new=True)
    message = shown(start, partial, done, nxt, late)
    assert [(t.id, t.status) for t in message.tasks] == [("step-1", "complete"), ("step-2", "in_progress")]
    assert late == []


def test_a_step_in_progress_when_the_answer_comes_ends_as_writing_the_answer() -> None:
    plan = StreamPlan()
    calls = [plan.start(), plan.step(step(1)), plan.thinking(2, "", new=False)]
    final = plan.answer("Yes.")
    assert final is not None
    assert [(t.title, t.status) for t in shown(*calls, final).tasks][-1] == ("Writing the answer", "complete")


def test_a_stop_marks_the_step_in_progress_as_an_error_and_keeps_the_rest() -> None:
    plan = StreamPlan()
    calls = [plan.start(), plan.step(step(1)), plan.thinking(2, "half", new=True)]
    end = plan.note("\n\n:octagonal_sign: Stopped. The step above is kept.")
    message = shown(*calls, end)
    assert [t.status for t in message.tasks] == ["complete", "error"]
    assert message.markdown_after_tasks.endswith("The step above is kept.")


def test_an_answer_past_the_room_left_does_not_fit() -> None:
    plan = StreamPlan()
    calls = [plan.start(), *(plan.step(step(n, content="y" * 300)) for n in range(1, 26))]
    long = "z" * (MESSAGE_TEXT - size(shown(*calls)) + 1)
    assert not plan.answer_fits(long)
    assert plan.answer(long) is None
    end = plan.note("\n\nThe answer follows in the thread below.", status="complete")
    assert shown(*calls, end).markdown_after_tasks.endswith("below.")


def test_steps_past_the_room_share_one_last_task() -> None:
    plan = StreamPlan()
    calls = [plan.start(), *(plan.step(step(n, title="t" * 300, content="c" * 300)) for n in range(1, 101))]
    message = shown(*calls)
    assert len(message.tasks) <= MAX_TASKS
    assert message.tasks[-1].id == MORE
    assert message.tasks[-1].title.startswith(f"Steps {len(message.tasks)}–100 · the last: ")
    assert [t.id for t in message.tasks[:-1]] == [f"step-{n}" for n in range(1, len(message.tasks))]
    assert size(message) <= MESSAGE_TEXT - ANSWER_ROOM


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=hostile(30_000), steps=st.integers(1, 100), thinking=st.booleans())
def test_no_streamed_message_breaks_slacks_rules_whatever_the_text(text: str, steps: int, thinking: bool) -> None:
    plan = StreamPlan()
    calls = [plan.start()]
    for n in range(1, steps + 1):
        if thinking:
            calls.append(plan.thinking(n, text[n:], new=True))
        calls.append(plan.step(step(n, title=text[n * 7 :] or "&", content=text[n * 13 :])))
    ending = plan.answer(answer_markdown(answer(text, steps), expand="mag"))
    calls.append(ending if ending is not None else plan.note("\n\nBelow.", status="complete"))
    message = shown(*calls)  # the fake's rules: chunk shapes, details <= 256, 50 blocks, block text
    assert size(message) <= MESSAGE_TEXT
    assert all(not RAW_CONTROL.search(t.title + t.details) for t in message.tasks)
    assert not RAW_CONTROL.search(message.markdown)
    ids = [t.id for t in message.tasks if t.id != MORE]
    assert ids == [f"step-{n}" for n in range(1, len(ids) + 1)]


@given(hostile(20_000))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_the_answer_as_markdown_escapes_what_slack_would_act_on(text: str) -> None:
    markdown = answer_markdown(answer(text), expand="mag")
    assert not RAW_CONTROL.search(markdown)
    assert "<" not in markdown.replace("&lt;", "")


def test_the_answer_keeps_quotes_and_makes_disguised_links_plain() -> None:
    text = "> quoted\n[https://bank.example](http://evil.example/phish) and <!here> & [docs](https://docs.example)"
    markdown = answer_markdown(answer(text), expand="mag")
    assert markdown.startswith("> quoted\n")
    assert "](http://evil.example" not in markdown
    assert "&lt;!here&gt; &amp; [docs](https://docs.example)" in markdown


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("error", ["unknown_method", "not_allowed", "missing_scope"])
def test_a_refusal_of_streams_is_remembered_for_the_workspace_for_a_while(error: str) -> None:
    clock = Clock()
    refusals = Refusals(retry_after=600, clock=clock)
    assert refusals.remember("T1", "C1", error)
    assert refusals.refused("T1", "C2")
    assert refusals.refused("T1", "D1")
    assert not refusals.refused("T2", "C1")
    clock.now += 601
    assert not refusals.refused("T1", "C1")


def test_a_channel_kind_without_streams_is_remembered_for_that_kind_only() -> None:
    refusals = Refusals(retry_after=600, clock=Clock())
    assert refusals.remember("T1", "G1", "channel_type_not_supported")
    assert refusals.refused("T1", "G2")
    assert not refusals.refused("T1", "C1")


@pytest.mark.parametrize("error", ["not_in_channel", "ratelimited", "invalid_arguments", None])
def test_other_failures_are_not_remembered(error: str | None) -> None:
    refusals = Refusals(retry_after=600, clock=Clock())
    assert not refusals.remember("T1", "C1", error)
    assert not refusals.refused("T1", "C1")


def test_an_update_without_details_still_counts_the_details_it_leaves_shown() -> None:
    plan = StreamPlan()
    calls = [plan.start(), plan.thinking(1, "partial thought " * 100, new=True)]  # step 1's task shows 256 of it
    text = "a" * (plan.budget.left + 200)  # fits only if the task's details were forgotten
    ending = plan.answer(text)  # ends step 1's task as "Writing the answer", details not sent, so kept
    calls.append(ending if ending is not None else plan.note("\n\nBelow.", status="complete"))
    assert size(shown(*calls)) <= MESSAGE_TEXT
