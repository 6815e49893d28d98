"""The API's default rate quotas, and a pacer that keeps calls under them.

The figures are AgentCore Memory's default quotas (docs/agentcore-memory-api.md, "Quotas"):
calls per second per account, and for some operations also per actor and session. Tools that
walk a memory (``find_events``, erase, export, import) pace their calls with ``RatePacer`` so
that a long run draws no throttling; a raised quota is passed as an override.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Final

from .timing import SYSTEM_CLOCK, Clock

PER_SESSION: Final = " per session"
"""Suffix of a rate that applies per actor and session rather than per account."""

QUOTA_TPS: Final[Mapping[str, float]] = {
    "ListActors": 20.0,
    "ListSessions": 20.0,
    "ListEvents": 200.0,
    "ListEvents" + PER_SESSION: 20.0,
    "CreateEvent": 200.0,
    "CreateEvent" + PER_SESSION: 5.0,  # with conversational payloads (10 without)
    "DeleteEvent": 20.0,
    "DeleteEvent" + PER_SESSION: 5.0,
    "ListMemoryRecords": 30.0,
    "BatchDeleteMemoryRecords": 20.0,
    "GetMemory": 50.0,
}
"""Default calls per second, by operation (``"<operation> per session"``: per actor+session)."""


class RatePacer:
    """Spaces calls so that no rate (calls per second, by key) is exceeded.

    A key ``"<rate name>/<scope>"`` is paced by the rate named before the first ``/``, so
    ``"DeleteEvent per session/alice/s1"`` has a window of its own per session. A rate of 0
    (or a name with no rate) is not paced.
    """

    def __init__(self, rates: Mapping[str, float], clock: Clock = SYSTEM_CLOCK) -> None:
        self._clock = clock
        self._interval = {name: 1.0 / rate for name, rate in rates.items() if rate > 0}
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, keys: list[str]) -> None:
        """Sleep until a call counted against every key in ``keys`` is within its rate."""
        paced = [
            (key, self._interval[key.split("/")[0]])
            for key in keys
            if key.split("/")[0] in self._interval
        ]
        if not paced:
            return
        with self._lock:
            now = self._clock.monotonic()
            start = max([now, *(self._next.get(k, now) for k, _ in paced)])
            for k, interval in paced:
                self._next[k] = start + interval
        delay = start - self._clock.monotonic()
        if delay > 0:
            self._clock.sleep(delay)
