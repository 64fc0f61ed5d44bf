"""Where a linked Slack message is, as its link's ``location`` says: the thread it is in, and whether it is a
streamed message (whose steps a reaction shows as new replies below it: a streamed message is not rewritten)."""

from __future__ import annotations

__all__ = ["read_location", "stream_location"]

_STREAM = "stream:"


def stream_location(thread_ts: str) -> str:
    """The location of a streamed message in ``thread_ts``."""
    return f"{_STREAM}{thread_ts}"


def read_location(location: str) -> tuple[str, bool]:
    """The thread ts a location names (empty: unknown) and whether the message there is a streamed one."""
    if location.startswith(_STREAM):
        return location[len(_STREAM) :], True
    return location, False
