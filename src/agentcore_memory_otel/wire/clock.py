"""Strictly increasing event timestamps at the millisecond resolution the service orders by."""

from __future__ import annotations

import threading
import time


class MonotonicClock:
    """Hands out epoch-millisecond timestamps, each greater than the one before.

    Two writes in the same millisecond would tie in ListEvents order; bumping by 1 ms keeps
    the stored order equal to the order of writing, even across a restart when seeded with
    the newest stored event's timestamp.
    """

    def __init__(self, after_ms: int = 0) -> None:
        self._lock = threading.Lock()
        self._last = after_ms

    def advance_past(self, timestamp_ms: int) -> None:
        """Make every later timestamp greater than ``timestamp_ms``."""
        with self._lock:
            self._last = max(self._last, timestamp_ms)

    def next_ms(self) -> int:
        """A timestamp later than every one handed out or advanced past so far."""
        with self._lock:
            self._last = max(time.time_ns() // 1_000_000, self._last + 1)
            return self._last
