"""Whether a request may start, and what it starts with, in one round trip (:mod:`core.state.intake`).

The intake claims the delivery, counts the asker's and then the place's rate limits, reads the place's daily token
budget and the cache, and takes the single-flight lease; this module turns what it found into a :class:`Verdict`
with the refusal to show, if any, worded for the user. A full Redis connection pool
(:class:`~core.state.guard.StoreBusyError`) refuses the request as ``busy``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from core.events import ChainFailed, Event
from core.kinds import FailureKind
from core.places import PlaceUsage
from core.state.batch import Batch
from core.state.budget import BudgetStatus, TokenBudget
from core.state.dedupe import Lease
from core.state.flights import Claim
from core.state.guard import StoreBusyError
from core.state.intake import Intake, IntakeReply
from core.state.limiter import FAIL_CLOSED_RETRY_AFTER
from core.state.records import ChainRecord

__all__ = ["Admission", "Verdict"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Verdict:
    """``refusal`` to show (nothing else then matters), else the ``cached`` events to replay or a chain to run
    (``claim``: the flight lease as taken, when one was asked for). ``lease`` is the delivery's dedupe lease, to be
    marked done at the end. ``busy``: the refusal is back-pressure, and nothing was claimed."""

    refusal: ChainFailed | None = None
    cached: tuple[Event, ...] | None = None
    claim: Claim | None = None
    lease: Lease | None = None
    busy: bool = False


class Admission:
    """``await admission.admit(...)``; ``spend_into(batch, place, tokens)`` charges the budget at the chain's end."""

    def __init__(self, *, intake: Intake, budget: TokenBudget | None) -> None:
        self._intake = intake
        self._budget = budget

    async def admit(
        self,
        *,
        record: ChainRecord,
        delivery_key: str | None,
        cache_key: str | None,
        flight: str | None,
        daily_tokens: int | None = None,
        limited: bool = True,
    ) -> Verdict:
        """``daily_tokens``: the place's own budget instead of the deployment's; ``limited=False``: no rate limits."""
        chain_id = record.chain_id
        try:
            reply = await self._intake.admit(
                record=record,
                delivery_key=delivery_key,
                cache_key=cache_key,
                flight=flight,
                daily_tokens=daily_tokens,
                limited=limited,
            )
        except StoreBusyError as exc:  # every Redis connection stayed in use: back-pressure, not an outage
            return Verdict(refusal=_busy(chain_id, exc.retry_after), busy=True)
        refusal = _refusal_for(reply, chain_id)
        if refusal is not None:
            return Verdict(refusal=refusal)
        return Verdict(cached=reply.cached, claim=reply.claim, lease=reply.lease)

    async def usage(self, place: str, *, daily_tokens: int | None = None) -> PlaceUsage:
        return await self._intake.usage(place, daily_tokens=daily_tokens)

    def spend_into(self, batch: Batch, place: str, tokens: int) -> None:
        if self._budget is not None and tokens > 0:
            self._budget.add_into(batch, place, tokens)


def _refusal_for(reply: IntakeReply, chain_id: str) -> ChainFailed | None:
    if reply.outcome == "duplicate":
        message = "This request is already being answered."
        return ChainFailed(chain_id=chain_id, kind=FailureKind.DUPLICATE, message=message)
    user, place, status = reply.user, reply.place, reply.budget
    if not user.allowed and user.degraded:
        return _unavailable(chain_id, user.retry_after)
    if not user.allowed:
        message = "You are asking faster than this bot allows."
        return _refusal(chain_id, FailureKind.RATE_LIMITED, message, user.retry_after)
    if place is not None and not place.allowed and place.degraded:
        return _unavailable(chain_id, place.retry_after or FAIL_CLOSED_RETRY_AFTER)
    if status is not None and not status.allowed and status.degraded:
        return _unavailable(chain_id, FAIL_CLOSED_RETRY_AFTER)
    if place is not None and not place.allowed:
        message = "This server or workspace is asking faster than this bot allows."
        return _refusal(chain_id, FailureKind.RATE_LIMITED, message, place.retry_after)
    if status is not None and not status.allowed:
        return _over_budget(chain_id, status)
    return None


def _over_budget(chain_id: str, status: BudgetStatus) -> ChainFailed:
    wait = max(1.0, (status.resets_at - dt.datetime.now(dt.UTC)).total_seconds())
    reset = status.resets_at.strftime("%H:%M UTC")
    message = f"Today's token budget here is used up ({status.used:,} of {status.limit:,}); it resets at {reset}."
    return ChainFailed(chain_id=chain_id, kind=FailureKind.OVER_BUDGET, message=message, retry_after=wait)


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
