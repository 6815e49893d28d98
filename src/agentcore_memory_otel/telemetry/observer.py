"""``WriteTelemetry``: the one place persistence reports facts to, every method guarded.

Persistence code (the session manager, its parts, the write path and the sender thread) never
touches a span, meter or instrument: it tells this observer what happened ("a write failed",
"a hook waited 0.2 s", "these messages were acknowledged"), and the observer turns facts into
metrics. Every public method of a ``GuardedObserver`` subclass is wrapped in ``safely`` when
the class is defined, so a broken meter, reader or SDK can never fail a hook or stop the
sender thread, whatever method is added later.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import Any

from ..wire.pending import PendingRecord
from . import names
from .guard import safely
from .instruments import Instruments
from .savings import avoided_by_superseded


def _guarded(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        return safely(name, lambda: method(*args, **kwargs))

    run.__guarded__ = True  # type: ignore[attr-defined]
    return run


class GuardedObserver:
    """A telemetry observer whose public methods never raise (they return ``None`` instead)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for attribute, value in list(vars(cls).items()):
            if not attribute.startswith("_") and callable(value):
                setattr(cls, attribute, _guarded(f"{cls.__name__}.{attribute}", value))


class WriteTelemetry(GuardedObserver):
    """What one session manager's persistence reports, as metrics.

    Args:
        instruments: The meter provider's instruments; ``None`` records nothing (a meter
            provider that failed to create them).
        memory_id: The memory every fact is about (the ``gen_ai.memory.store.id`` attribute).
    """

    def __init__(self, instruments: Instruments | None, memory_id: str) -> None:
        self._instruments = instruments
        self._store = {names.GEN_AI_MEMORY_STORE_ID: memory_id}

    def write_failed(self, source: str) -> None:
        """A write-path step failed (``source``: a ``names.FAILURE_*`` value)."""
        if self._instruments is not None:
            self._instruments.write_failures.add(1, {names.FAILURE_SOURCE: source, **self._store})

    def hook_waited(self, seconds: float) -> None:
        """A hook waited ``seconds`` for room in a full buffer."""
        if self._instruments is not None:
            self._instruments.hook_wait.record(seconds, self._store)

    def acknowledged(self, added_at: Iterable[float], mode: str) -> None:
        """Messages added at ``added_at`` (``time.monotonic()``) were just acknowledged."""
        if self._instruments is None:
            return
        now = time.monotonic()
        attributes = {names.WRITE_MODE: mode, **self._store}
        for added in added_at:
            self._instruments.write_lag.record(now - added, attributes)

    def journal_replayed(self, messages: int) -> None:
        """``messages`` journaled messages were queued again after a restart."""
        if self._instruments is not None:
            self._instruments.journal_replayed.add(messages, self._store)

    def avoided(self, reason: str, count: int = 1) -> None:
        """``count`` naive calls were avoided for ``reason``."""
        if self._instruments is not None:
            self._instruments.avoided.add(count, {names.REASON: reason, **self._store})

    def superseded(self, record: PendingRecord) -> None:
        """A buffered record was replaced before it was written."""
        reason = avoided_by_superseded(record)
        if reason is not None:
            self.avoided(reason)

    def invocation(self) -> None:
        """An agent invocation finished."""
        if self._instruments is not None:
            self._instruments.invocations.add(1, self._store)

    def watch_pending(self, pending: Callable[[], int]) -> None:
        """Report ``pending()`` (a bound method, held weakly) as the buffered-messages gauge."""
        if self._instruments is not None:
            self._instruments.watch_pending(self._store[names.GEN_AI_MEMORY_STORE_ID], pending)
