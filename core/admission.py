"""Whether a request may start: per-user and per-place rate limits, then the place's daily token budget.

A full Redis connection pool (:class:`~core.state.guard.StoreBusyError`) refuses the request as ``busy``."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from core.events import ChainFailed
from core.kinds import FailureKind
from core.request import ThinkRequest
from core.state.budget import BudgetStatus, TokenBudget
from core.state.guard import StoreBusyError
from core.state.limiter import FAIL_CLOSED_RETRY_AFTER, RateLimiter

__all__ = ["Admission"]

log = logging.getLogger(__name__)


class Admission:
    """``await admission.check(request, chain_id)`` is ``None`` (go ahead) or the refusal to show."""

    def __init__(self, *, per_user: RateLimiter, per_place: RateLimiter, budget: TokenBudget | None) -> None:
        self._per_user = per_user
        self._per_place = per_place
        self._budget = budget

    async def check(self, request: ThinkRequest, chain_id: str) -> ChainFailed | None:
        try:
            return await self._check(request, chain_id)
        except StoreBusyError as exc:  # every Redis connection stayed in use: back-pressure, not an outage
            return _busy(chain_id, exc.retry_after)

    async def _check(self, request: ThinkRequest, chain_id: str) -> ChainFailed | None:
        user = await self._per_user.hit(request.user)
        if not user.allowed and user.degraded:
            return _unavailable(chain_id, user.retry_after)
        if not user.allowed:
            return _refusal(
                chain_id, FailureKind.RATE_LIMITED, "You are asking faster than this bot allows.", user.retry_after
            )
        # The place is only charged for users within their own limit; its budget is read at the same time.
        place, status = await asyncio.gather(self._per_place.hit(request.place), self._budget_status(request.place))
        if (not place.allowed and place.degraded) or (status is not None and not status.allowed and status.degraded):
            return _unavailable(chain_id, place.retry_after or FAIL_CLOSED_RETRY_AFTER)
        if not place.allowed:
            message = "This server or workspace is asking faster than this bot allows."
            return _refusal(chain_id, FailureKind.RATE_LIMITED, message, place.retry_after)
        if status is None or status.allowed:
            return None
        wait = max(1.0, (status.resets_at - dt.datetime.now(dt.UTC)).total_seconds())
        reset = status.resets_at.strftime("%H:%M UTC")
        message = f"Today's token budget here is used up ({status.used:,} of {status.limit:,}); it resets at {reset}."
        return ChainFailed(chain_id=chain_id, kind=FailureKind.OVER_BUDGET, message=message, retry_after=wait)

    async def _budget_status(self, place: str) -> BudgetStatus | None:
        return None if self._budget is None else await self._budget.check(place)

    async def spend(self, place: str, tokens: int) -> None:
        if self._budget is not None and tokens > 0:
            await self._budget.add(place, tokens)


def _refusal(chain_id: str, kind: FailureKind, message: str, retry_after: float) -> ChainFailed:
    text = f"{message} Please try again in {_duration(retry_after)}."
    return ChainFailed(chain_id=chain_id, kind=kind, message=text, retry_after=retry_after)


def _unavailable(chain_id: str, retry_after: float) -> ChainFailed:
    """Redis is down and limits fail closed: the user did nothing wrong, so do not say they asked too fast."""
    wait = _duration(retry_after)
    message = f"I can't check the usage limits right now, so I'm not taking questions. Please try again in {wait}."
    return ChainFailed(chain_id=chain_id, kind=FailureKind.LIMITS_UNAVAILABLE, message=message, retry_after=retry_after)


def _busy(chain_id: str, retry_after: float) -> ChainFailed:
    """Redis's connection pool stayed full: too many questions at once, nobody's limit was reached."""
    message = f"I'm handling a lot of questions right now. Please try again in {_duration(retry_after)}."
    return ChainFailed(chain_id=chain_id, kind=FailureKind.BUSY, message=message, retry_after=retry_after)


def _duration(seconds: float) -> str:
    seconds = max(1, round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 90 else f"{round(minutes / 60)} h"
