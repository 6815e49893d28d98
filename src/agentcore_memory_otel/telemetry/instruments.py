"""The metric instruments, one set per meter provider.

Counters are kept as plain integers and reported by observable instruments when metrics are
collected, so the hot path costs a dictionary update instead of an SDK measurement; only the
histograms are recorded synchronously. Which instrument each metric gets, with its unit,
description and buckets, is ``names.METRICS``.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, assert_never

from opentelemetry.metrics import (
    CallbackOptions,
    Histogram,
    MeterProvider,
    Observation,
    get_meter,
    get_meter_provider,
)

from .._version import __version__
from ..client.forks import reinit_locks
from . import names

_Watcher = tuple[str, weakref.WeakMethod[Callable[[], int]]]
"""A memory id and its buffer's ``pending`` method, held weakly (see ``watch_pending``)."""


class Tally:
    """Cumulative counts by attribute set, read by an observable instrument."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[tuple[str, Any], ...]] = Counter()

    def add(self, amount: int, attributes: dict[str, Any]) -> None:
        """Add ``amount`` to the count for ``attributes``."""
        key = tuple(sorted(attributes.items()))
        with self._lock:
            self._counts[key] += amount

    def observe(self, _: CallbackOptions) -> Iterable[Observation]:
        """Report every count (the observable instrument's callback)."""
        with self._lock:
            items = list(self._counts.items())
        return [Observation(value, dict(key)) for key, value in items]


class Instruments:
    """All metric instruments the package records to, one set per meter provider.

    Use ``Instruments.for_provider``: every session manager on the same meter provider shares
    the instruments, so observable counts add up across managers instead of overwriting
    each other.
    """

    _by_provider: ClassVar[weakref.WeakKeyDictionary[MeterProvider, Instruments]] = (
        weakref.WeakKeyDictionary()
    )
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def for_provider(cls, meter_provider: MeterProvider | None) -> Instruments:
        """The shared instruments of ``meter_provider`` (``None``: the global provider).

        ``None`` resolves to the global provider now, so a manager given the global provider
        explicitly and one given ``None`` share instruments. (Managers created before a
        global provider is installed share the proxy's instruments.)
        """
        provider = meter_provider if meter_provider is not None else get_meter_provider()
        with cls._registry_lock:
            found = cls._by_provider.get(provider)
            if found is None:
                found = cls._by_provider[provider] = cls(provider)
            return found

    def __init__(self, meter_provider: MeterProvider | None) -> None:
        """Create every instrument of ``names.METRICS`` on ``meter_provider``'s meter."""
        meter = get_meter(names.INSTRUMENTATION_NAME, __version__, meter_provider)
        self._lock = threading.Lock()
        self._pending: list[_Watcher] = []
        # The one up-down counter reports the buffers' depth, not a tally; a new one would
        # need its own callback, so it fails here instead of reusing this one.
        up_down_callbacks = {names.BUFFERED_MESSAGES: self._observe_pending}
        histograms: dict[str, Histogram] = {}
        tallies: dict[str, Tally] = {}
        for metric in names.METRICS:
            match metric.kind:
                case names.InstrumentKind.HISTOGRAM:
                    histograms[metric.name] = meter.create_histogram(
                        metric.name,
                        unit=metric.unit,
                        description=metric.description,
                        explicit_bucket_boundaries_advisory=metric.buckets,
                    )
                case names.InstrumentKind.COUNTER:
                    tally = tallies[metric.name] = Tally()
                    meter.create_observable_counter(
                        metric.name,
                        [tally.observe],
                        unit=metric.unit,
                        description=metric.description,
                    )
                case names.InstrumentKind.UP_DOWN_COUNTER:
                    meter.create_observable_up_down_counter(
                        metric.name,
                        [up_down_callbacks[metric.name]],
                        unit=metric.unit,
                        description=metric.description,
                    )
                case _:
                    assert_never(metric.kind)
        self.duration = histograms[names.OPERATION_DURATION]
        self.event_messages = histograms[names.EVENT_MESSAGES]
        self.payload_size = histograms[names.EVENT_PAYLOAD_SIZE]
        self.write_lag = histograms[names.WRITE_LAG]
        self.hook_wait = histograms[names.HOOK_WAIT]
        self.calls = tallies[names.API_CALLS]
        self.retries = tallies[names.API_RETRIES]
        self.throttles = tallies[names.API_THROTTLES]
        self.avoided = tallies[names.CALLS_AVOIDED]
        self.invocations = tallies[names.INVOCATIONS]
        self.write_failures = tallies[names.WRITE_FAILURES]
        self.journal_replayed = tallies[names.JOURNAL_REPLAYED]
        self._tallies = list(tallies.values())

    def _after_fork_in_child(self) -> None:
        """A lock a parent's thread held at the fork would stay held in the child: reset them."""
        reinit_locks(self._lock, *(tally._lock for tally in self._tallies))

    def watch_pending(self, memory_id: str, pending: Callable[[], int]) -> None:
        """Report ``pending()`` (a bound method, held weakly) as buffered messages."""
        with self._lock:
            # Drop watchers of collected managers here too: without a reader, nothing
            # collects, and the list would otherwise only grow.
            self._pending = [*self._live_watchers(), (memory_id, weakref.WeakMethod(pending))]

    def _live_watchers(self) -> list[_Watcher]:
        """The watchers whose managers still exist (call with ``_lock`` held).

        ``_pending`` is only ever replaced, never changed in place, so a caller may read the
        list it stores there after releasing the lock.
        """
        return [(m, ref) for m, ref in self._pending if ref() is not None]

    def _observe_pending(self, _: CallbackOptions) -> Iterable[Observation]:
        totals: Counter[str] = Counter()
        with self._lock:
            live = self._pending = self._live_watchers()
        for memory_id, ref in live:
            method = ref()
            totals[memory_id] += method() if method is not None else 0
        return [
            Observation(count, {names.GEN_AI_MEMORY_STORE_ID: memory_id})
            for memory_id, count in totals.items()
        ]


def _after_fork_in_child() -> None:
    reinit_locks(Instruments._registry_lock)
    for instruments in list(Instruments._by_provider.values()):
        instruments._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
