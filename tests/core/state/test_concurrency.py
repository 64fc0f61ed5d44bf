"""Per-process concurrency cap: FIFO admission, queue positions, cancellation safety."""

from __future__ import annotations

import asyncio

import pytest

from core.concurrency import ConcurrencyCap, Ticket


async def _hold(cap: ConcurrencyCap, release: asyncio.Event, log: list[str], name: str) -> list[int]:
    positions: list[int] = []
    async with cap.ticket() as ticket:
        async for position in ticket.positions():
            positions.append(position)
        log.append(name)
        await release.wait()
    return positions


async def test_free_slots_admit_at_once_and_report_nothing() -> None:
    cap = ConcurrencyCap(limit=2)
    async with cap.ticket() as first, cap.ticket() as second:
        assert [p async for p in first.positions()] == []
        assert [p async for p in second.positions()] == []
        assert (cap.active, cap.waiting) == (2, 0)
    assert (cap.active, cap.waiting) == (0, 0)


async def test_waiters_hear_their_positions_and_enter_in_order() -> None:
    cap = ConcurrencyCap(limit=1)
    release = {name: asyncio.Event() for name in "abcd"}
    order: list[str] = []
    tasks = {}
    for name in "abcd":
        tasks[name] = asyncio.create_task(_hold(cap, release[name], order, name))
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    assert (cap.active, cap.waiting) == (1, 3)
    for name in "abcd":
        release[name].set()
        await asyncio.sleep(0.01)
    results = {name: await task for name, task in tasks.items()}
    assert order == list("abcd")
    assert results == {"a": [], "b": [1], "c": [2, 1], "d": [3, 2, 1]}


async def test_a_cancelled_waiter_leaves_the_queue_and_others_move_up() -> None:
    cap = ConcurrencyCap(limit=1)
    hold, order = asyncio.Event(), []
    holder = asyncio.create_task(_hold(cap, hold, order, "holder"))
    await asyncio.sleep(0)
    quitter = asyncio.create_task(_hold(cap, asyncio.Event(), order, "quitter"))
    await asyncio.sleep(0)
    patient = asyncio.create_task(_hold(cap, asyncio.Event(), order, "patient"))
    await asyncio.sleep(0.01)
    quitter.cancel()
    await asyncio.sleep(0.01)
    assert cap.waiting == 1
    hold.set()
    await holder
    await asyncio.sleep(0.01)
    assert order == ["holder", "patient"]
    patient.cancel()
    with pytest.raises(asyncio.CancelledError):
        await patient
    assert (cap.active, cap.waiting) == (0, 0)


async def test_cancelled_right_at_handover_frees_the_slot() -> None:
    cap = ConcurrencyCap(limit=1)
    first = cap.ticket()
    await first.__aenter__()

    async def waiter() -> None:
        async with cap.ticket() as ticket:
            await ticket.wait()
            await asyncio.sleep(10)

    task = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    await first.__aexit__(None, None, None)  # hands the slot over...
    task.cancel()  # ...and the new holder is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (cap.active, cap.waiting) == (0, 0)
    async with cap.ticket() as again:
        assert again.admitted


async def test_an_exception_inside_frees_the_slot() -> None:
    cap = ConcurrencyCap(limit=1)
    with pytest.raises(RuntimeError):
        async with cap.ticket():
            raise RuntimeError("chain failed")
    assert cap.active == 0


async def test_waiting_needs_entering_first() -> None:
    ticket = Ticket(cap=ConcurrencyCap(limit=1))
    with pytest.raises(RuntimeError, match="async with"):
        await ticket.wait()


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ConcurrencyCap(limit=0)
