"""A follow-up asked in a chain's thread carries the earlier questions and answers there as context: the same
number on every platform (``THINKBOT_HISTORY_TURNS``), read from the core's records through the port."""

from __future__ import annotations

from core.port import ThinkPort
from core.request import Turn

__all__ = ["earlier_turns"]


async def earlier_turns(service: ThinkPort, thread: str, *, turns: int) -> tuple[Turn, ...] | None:
    """The last ``turns`` questions answered in ``thread`` and their answers, oldest first; ``None`` when no chain
    was answered there (not a thread to follow up in). With ``turns`` 0 a follow-up carries no context."""
    found = await service.thread_turns(thread, limit=max(1, turns))
    if not found:
        return None
    return found[-turns:] if turns else ()
