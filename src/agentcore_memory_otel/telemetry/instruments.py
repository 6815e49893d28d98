"""The metric instruments, one set per meter provider.

Counters are kept as plain integers and reported by observable instruments when metrics are
collected, so the hot path costs a dictionary update instead of an SDK measurement; only the
histograms are recorded synchronously.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from opentelemetry.metrics import (
    CallbackOptions,
    MeterProvider,
    Observation,
    get_meter,
    get_meter_provider,
)

from .. import __version__
from . import names

DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MESSAGE_BUCKETS = (1, 2, 3, 4, 5, 10, 20, 50, 100)
SIZE_BUCKETS = (256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 10485760)


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
        meter = get_meter(names.INSTRUMENTATION_NAME, __version__, meter_provider)
        self.avoided = Tally()
        self.invocations = Tally()
        self.calls = Tally()
        self.retries = Tally()
        self.throttles = Tally()
        self.write_failures = Tally()
        self.journal_replayed = Tally()
        self._lock = threading.Lock()
        self._pending: list[tuple[str, weakref.WeakMethod[Callable[[], int]]]] = []
        self.duration = meter.create_histogram(
            names.OPERATION_DURATION,
            unit="s",
            description="Duration of AgentCore Memory API calls, retries included",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.event_messages = meter.create_histogram(
            names.EVENT_MESSAGES,
            unit="{message}",
            description="Messages per CreateEvent",
            explicit_bucket_boundaries_advisory=MESSAGE_BUCKETS,
        )
        self.payload_size = meter.create_histogram(
            names.EVENT_PAYLOAD_SIZE,
            unit="By",
            description="Payload bytes per CreateEvent",
            explicit_bucket_boundaries_advisory=SIZE_BUCKETS,
        )
        for name, tally, unit, description in (
            (
                names.API_CALLS,
                self.calls,
                "{call}",
                "AgentCore Memory API calls, by operation and outcome",
            ),
            (
                names.API_RETRIES,
                self.retries,
                "{retry}",
                "Retried attempts made by botocore inside API calls",
            ),
            (
                names.API_THROTTLES,
                self.throttles,
                "{attempt}",
                "Attempts answered with ThrottledException (HTTP 429)",
            ),
        ):
            meter.create_observable_counter(
                name, [tally.observe], unit=unit, description=description
            )
        self.write_lag = meter.create_histogram(
            names.WRITE_LAG,
            unit="s",
            description="Time from a message added to its write acknowledged, by write mode",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.hook_wait = meter.create_histogram(
            names.HOOK_WAIT,
            unit="s",
            description="Time a hook waited for room in a full background write buffer",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        for name, tally, unit, description in (
            (
                names.WRITE_FAILURES,
                self.write_failures,
                "{failure}",
                "Write-path failures, by source (metadata_provider, write)",
            ),
            (
                names.JOURNAL_REPLAYED,
                self.journal_replayed,
                "{message}",
                "Messages re-sent from the local journal by a new session manager",
            ),
        ):
            meter.create_observable_counter(
                name, [tally.observe], unit=unit, description=description
            )
        meter.create_observable_counter(
            names.CALLS_AVOIDED,
            [self.avoided.observe],
            unit="{call}",
            description="CreateEvent calls a naive session manager would have made, by reason",
        )
        meter.create_observable_counter(
            names.INVOCATIONS,
            [self.invocations.observe],
            unit="{invocation}",
            description="Agent invocations completed with this session manager",
        )
        meter.create_observable_up_down_counter(
            names.BUFFERED_MESSAGES,
            [self._observe_pending],
            unit="{message}",
            description="Messages waiting to be written",
        )

    def record_write_failure(self, source: str, memory_id: str) -> None:
        """Count one write-path failure from ``source`` (a ``names.FAILURE_*`` value)."""
        self.write_failures.add(
            1, {names.FAILURE_SOURCE: source, names.GEN_AI_MEMORY_STORE_ID: memory_id}
        )

    def record_write_lag(self, added_at: Iterable[float], mode: str, memory_id: str) -> None:
        """Record, for each message just acknowledged, the time since its hook added it."""
        now = time.monotonic()
        attributes = {names.WRITE_MODE: mode, names.GEN_AI_MEMORY_STORE_ID: memory_id}
        for added in added_at:
            self.write_lag.record(now - added, attributes)

    def watch_pending(self, memory_id: str, pending: Callable[[], int]) -> None:
        """Report ``pending()`` (a bound method, held weakly) as buffered messages."""
        with self._lock:
            # Drop watchers of collected managers here too: without a reader, nothing
            # collects, and the list would otherwise only grow.
            self._pending = [(m, ref) for m, ref in self._pending if ref() is not None]
            self._pending.append((memory_id, weakref.WeakMethod(pending)))

    def _observe_pending(self, _: CallbackOptions) -> Iterable[Observation]:
        totals: Counter[str] = Counter()
        with self._lock:
            live = [(m, ref) for m, ref in self._pending if ref() is not None]
            self._pending = live
        for memory_id, ref in live:
            method = ref()
            totals[memory_id] += method() if method is not None else 0
        return [
            Observation(count, {names.GEN_AI_MEMORY_STORE_ID: memory_id})
            for memory_id, count in totals.items()
        ]
