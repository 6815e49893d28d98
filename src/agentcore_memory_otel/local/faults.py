"""Fault and latency injection, and server-side call statistics, for tests and benchmarks.

Everything here is thread-safe and can be changed while the server runs.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from typing import Final

from .errors import (
    AccessDeniedError,
    ApiError,
    RetryableConflictError,
    ServiceError,
    ServiceQuotaExceededError,
    ThrottledError,
)

SUCCESS: Final = "success"

_INJECTABLE: Final[dict[int, type[ApiError]]] = {
    500: ServiceError,
    429: ThrottledError,
    409: RetryableConflictError,
    403: AccessDeniedError,
    402: ServiceQuotaExceededError,
}


class FaultInjector:
    """What the server should do wrong, and how slowly.

    * ``set_latency``: sleep before answering an operation (or every operation).
    * ``set_create_event_rate_limit``: CreateEvent calls per second allowed per
      memory+actor+session before a 429 ``ThrottledException``; the real quota is 5.
    * ``fail_next``: answer the next N calls of an operation with an error, storing nothing:
      500 ServiceException, 429 ThrottledException, 409 RetryableConflictException,
      403 AccessDeniedException or 402 ServiceQuotaExceededException.
    * ``commit_then_fail``: perform the next N calls of an operation, then answer 500, so a
      client's retry must be deduplicated by its ``clientToken``.
    * ``set_filtered_read_lag``: metadata-filtered ListEvents do not see events stored within
      the last N seconds, as the real service's eventually consistent index may not.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self.clock = clock
        """Monotonic seconds the CreateEvent quota is counted in; a test may set its own."""
        self.reset()

    def reset(self) -> None:
        """Remove every injected fault and latency."""
        with self._lock:
            self._latency: dict[str | None, float] = {}
            self._rate_limit: float | None = None
            self._windows: dict[tuple[str, str, str], deque[float]] = defaultdict(deque)
            # Planned outcomes per operation: None lets a call through, a status fails it.
            self._fail_next: dict[str, deque[int | None]] = defaultdict(deque)
            self._commit_then_fail: Counter[str] = Counter()
            self._filtered_read_lag = 0.0

    def set_latency(self, seconds: float, operation: str | None = None) -> None:
        """Add ``seconds`` before answering ``operation`` (``None``: every operation)."""
        if seconds < 0:
            raise ValueError("latency must be >= 0 seconds")
        with self._lock:
            self._latency[operation] = seconds

    def latency(self, operation: str) -> float:
        """The delay to add before answering ``operation``."""
        with self._lock:
            return self._latency.get(operation, self._latency.get(None, 0.0))

    def set_create_event_rate_limit(self, per_second: float | None) -> None:
        """Throttle CreateEvent per memory+actor+session above ``per_second`` (None: off)."""
        if per_second is not None and per_second <= 0:
            raise ValueError("rate limit must be > 0 calls per second")
        with self._lock:
            self._rate_limit = per_second
            self._windows.clear()

    def admit_create_event(self, memory_id: str, actor_id: str, session_id: str) -> None:
        """Count one CreateEvent against the rate quota, or raise ThrottledException."""
        with self._lock:
            if self._rate_limit is None:
                return
            now = self.clock()
            window = self._windows[(memory_id, actor_id, session_id)]
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self._rate_limit:
                raise ThrottledError()
            window.append(now)

    def fail_next(
        self, operation: str, count: int = 1, *, status: int = 500, after: int = 0
    ) -> None:
        """Answer ``count`` calls of ``operation`` with ``status`` (500, 429, 409, 403 or 402).

        The first ``after`` calls are let through before the failures start.
        """
        if status not in _INJECTABLE:
            raise ValueError(f"status must be one of {sorted(_INJECTABLE)}")
        with self._lock:
            self._fail_next[operation].extend([None] * after + [status] * count)

    def injected_failure(self, operation: str) -> ApiError | None:
        """The error to answer this call of ``operation`` with instead of running it, if any."""
        with self._lock:
            queue = self._fail_next[operation]
            status = queue.popleft() if queue else None
            if status is None:
                return None
            error = _INJECTABLE[status]
        if error is ThrottledError:
            return ThrottledError()
        return error(f"Injected {error.error_type} (local server fault injection)")

    def commit_then_fail(self, count: int = 1, operation: str = "CreateEvent") -> None:
        """Run the next ``count`` calls of ``operation``, then answer 500 ``ServiceException``."""
        with self._lock:
            self._commit_then_fail[operation] += count

    def take_commit_then_fail(self, operation: str) -> bool:
        """Whether this completed call of ``operation`` should be answered with a 500."""
        with self._lock:
            if self._commit_then_fail[operation] <= 0:
                return False
            self._commit_then_fail[operation] -= 1
            return True

    def set_filtered_read_lag(self, seconds: float) -> None:
        """Hide events younger than ``seconds`` from metadata-filtered ListEvents."""
        if seconds < 0:
            raise ValueError("lag must be >= 0 seconds")
        with self._lock:
            self._filtered_read_lag = seconds

    @property
    def filtered_read_lag(self) -> float:
        """Seconds during which new events stay invisible to metadata-filtered reads."""
        with self._lock:
            return self._filtered_read_lag


class CallStats:
    """Counts every request the server answered, by operation and outcome.

    The outcome is ``"success"`` or the error type answered (e.g. ``"ThrottledException"``).
    Benchmarks read API-call counts here, on the server side, so retries count as calls.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def record(self, operation: str, outcome: str) -> None:
        """Count one answered request."""
        with self._lock:
            self._counts[(operation, outcome)] += 1

    def count(self, operation: str | None = None, *, outcome: str | None = None) -> int:
        """Requests answered for ``operation`` (None: all) with ``outcome`` (None: any)."""
        with self._lock:
            return sum(
                n
                for (op, out), n in self._counts.items()
                if (operation is None or op == operation) and (outcome is None or out == outcome)
            )

    def snapshot(self) -> dict[str, dict[str, int]]:
        """``{operation: {outcome: count}}`` for everything counted so far."""
        with self._lock:
            result: dict[str, dict[str, int]] = defaultdict(dict)
            for (op, out), n in sorted(self._counts.items()):
                result[op][out] = n
            return dict(result)

    def reset(self) -> None:
        """Forget all counts."""
        with self._lock:
            self._counts.clear()
