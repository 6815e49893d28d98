"""Client-side pacing of CreateEvent calls under the per-actor-and-session quota.

The service throttles CreateEvent above a rate per actor and session (5 per second with
conversational payloads). A ``Pacer`` keeps this manager's calls under a configured rate over
any window, so a burst of writes waits a little instead of drawing 429s and retries. In
background mode the sender thread waits before planning, so what arrives meanwhile coalesces
into the next event instead of waiting.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from ...client.timing import SYSTEM_CLOCK, Clock

T = TypeVar("T")
R = TypeVar("R")

# A little slack for clock granularity; network jitter is handled by counting a call from
# when its answer arrived (the service received it before that).
_SLACK = 1.02


class Pacer:
    """Allows at most ``rate`` calls per second, over a sliding window.

    Args:
        rate: Calls per second; ``None`` never waits.
        clock: What the window is measured and waited on with (tests pass a fake one).
    """

    def __init__(self, rate: float | None, clock: Clock = SYSTEM_CLOCK) -> None:
        self.lock = threading.Lock()
        self._clock = clock
        self._calls: deque[float] = deque()
        self._slots = max(1, math.floor(rate)) if rate else 0
        self._window = self._slots / rate * _SLACK if rate else 0.0

    def delay(self) -> float:
        """Seconds to wait before the next call is within the rate (0: now)."""
        if not self._slots:
            return 0.0
        with self.lock:
            now = self._clock.monotonic()
            # Compared as "expiry <= now", the same sum the wait below is computed from: with
            # "now - start >= window" float rounding could keep a call that the wait already
            # counts as expired, and every later caller would be let through at once.
            while self._calls and self._calls[0] + self._window <= now:
                self._calls.popleft()
            if len(self._calls) < self._slots:
                return 0.0
            oldest = self._calls[0]
            # A call still running: look again shortly.
            return (
                self._window / self._slots
                if oldest == float("inf")
                else oldest + self._window - now
            )

    def paced(self, call: Callable[[T], R]) -> Callable[[T], R]:
        """``call`` with a wait for the rate before each invocation.

        A call counts from the moment its answer arrived: the service received it earlier,
        so however late the request travelled, the next window starts no sooner than the
        service's.
        """

        def wrapper(argument: T) -> R:
            while (pause := self.delay()) > 0:
                self._clock.sleep(pause)
            if not self._slots:
                return call(argument)
            with self.lock:
                self._calls.append(float("inf"))  # the slot is taken while the call runs
            try:
                return call(argument)
            finally:
                with self.lock:
                    self._calls.remove(float("inf"))
                    self._calls.append(self._clock.monotonic())

        return wrapper
