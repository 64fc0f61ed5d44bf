"""The writes of a request whose chain it leads, handed to the chain's flight so each step costs one round trip.

The flight (:class:`~core.state.singleflight.SingleFlight`) sends its events to Redis in batches; with this sink in
them, a batch also appends the batch's steps to the request's record, and the batch holding the chain's end also
stores the answer in the cache, charges the place's budget, writes the record's final head and marks the delivery
done: the whole end in one round trip, before the lease is released. A chain the asker stopped (the flight's own
``cancelled`` end) is left to the request, which words it.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.admission import Admission
from core.events import ChainFailed, ChainStarted, Event, FinalAnswer, Step
from core.kinds import FailureKind
from core.recorder import Recorder, folded
from core.state.batch import Batch
from core.state.cache import ResultCache
from core.state.dedupe import Deduper, Lease
from core.state.records import ChainRecord, ChainRecords

__all__ = ["LeaderWrites"]


class LeaderWrites:
    """A :class:`~core.state.singleflight.Sink` for one request; ``ended`` once its end was added to a batch."""

    def __init__(
        self,
        *,
        recorder: Recorder,
        records: ChainRecords,
        cache: ResultCache,
        cache_key: str,
        admission: Admission,
        dedupe: Deduper,
        lease: Lease | None,
        earlier: Sequence[Event] = (),
    ) -> None:
        """``earlier``: what an earlier run of this chain already wrote and showed (a worker that died), kept for
        the cache and the record's head but not appended again."""
        self._recorder = recorder
        self._base: ChainRecord = recorder.record
        self._records = records
        self._cache = cache
        self._cache_key = cache_key
        self._admission = admission
        self._dedupe = dedupe
        self._lease = lease
        self._kept: list[Event] = [e for e in earlier if isinstance(e, ChainStarted | Step)]
        self.ended = False

    def take(self) -> None:
        self._recorder.take()

    def write_into(self, batch: Batch, events: Sequence[Event]) -> None:
        steps: list[Step] = []
        end: FinalAnswer | ChainFailed | None = None
        for event in events:
            if isinstance(event, ChainFailed) and event.kind is FailureKind.CANCELLED:
                continue
            if isinstance(event, ChainStarted | Step | FinalAnswer):
                self._kept.append(event)
            if isinstance(event, Step):
                steps.append(event)
            elif isinstance(event, FinalAnswer | ChainFailed):
                end = event
        self._records.append_into(batch, self._base.chain_id, steps)
        if end is None or self.ended:
            return
        place = self._base.place
        if isinstance(end, FinalAnswer):
            self._cache.put_into(batch, self._cache_key, self._kept)
            self._admission.spend_into(batch, place, end.usage.total_tokens)
        else:
            self._admission.spend_into(batch, place, sum(s.usage.total_tokens for s in end.steps))
        # The record's final head, folded once from what the chain kept (a failure is not kept: it ends it).
        record = self._base
        for event in (*self._kept, end) if isinstance(end, ChainFailed) else self._kept:
            record = folded(record, event)
        self._records.head_into(batch, record)
        if self._lease is not None:
            self._dedupe.done_into(batch, self._lease)
        self.ended = True
        self._recorder.ended()
