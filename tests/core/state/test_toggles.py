"""Toggle limits: per message and per user, shared between two processes' objects on one store."""

from __future__ import annotations

from typing import Any

from core.state import Rate
from core.toggles import Toggles


def _toggles(parts: dict[str, Any], *, per_message: str = "4/1m", per_user: str = "10/1m") -> Toggles:
    return Toggles(**parts, per_message=Rate.parse(per_message), per_user=Rate.parse(per_user))


async def test_one_message_takes_its_share_then_refuses_everyone(parts: dict[str, Any]) -> None:
    toggles = _toggles(parts, per_message="4/1m")
    results = [await toggles.allow(user=f"u{n}", message="m1") for n in range(6)]
    assert results == [True, True, True, True, False, False]
    assert await toggles.allow(user="u9", message="m2")  # another message has its own share


async def test_one_user_takes_their_share_across_messages(parts: dict[str, Any]) -> None:
    toggles = _toggles(parts, per_user="3/1m")
    results = [await toggles.allow(user="alice", message=f"m{n}") for n in range(5)]
    assert results == [True, True, True, False, False]
    assert await toggles.allow(user="bob", message="m0")


async def test_a_refused_user_does_not_use_up_the_message(parts: dict[str, Any]) -> None:
    toggles = _toggles(parts, per_message="2/1m", per_user="1/1m")
    assert await toggles.allow(user="alice", message="m")
    assert not await toggles.allow(user="alice", message="m")
    assert not await toggles.allow(user="alice", message="m")
    assert await toggles.allow(user="bob", message="m")  # the message's second toggle is still there


async def test_replicas_share_the_counts(parts: dict[str, Any]) -> None:
    first, second = _toggles(parts, per_message="2/1m"), _toggles(parts, per_message="2/1m")
    assert await first.allow(user="a", message="m")
    assert await second.allow(user="b", message="m")
    assert not await first.allow(user="c", message="m")
    assert not await second.allow(user="d", message="m")
