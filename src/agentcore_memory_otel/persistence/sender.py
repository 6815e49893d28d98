"""Background write mode: one writer thread per session manager, off the agent's turn.

Hooks only buffer entries and wake the thread. The thread lingers 5 ms and waits for the
pacer (messages that arrive meanwhile coalesce), plans everything buffered and sends it in
order through the same ``EventWriter`` the sync mode uses, so batching rules, clientTokens
and timestamps are identical. A failed send keeps its planned events and is retried with
exponential backoff; the failure is logged once per streak, counted, and raised by the next
``flush()``.

The buffer is bounded: a hook that finds ``max_pending`` messages unacknowledged waits until
the thread makes room (the wait is measured); nothing is dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .pacing import Pacer
from .writer import EventWriter, FlushError

logger = logging.getLogger(__name__)

BACKOFF_FIRST = 0.2
BACKOFF_MAX = 10.0
# Once woken, the thread lingers this long so that the messages a turn adds in a burst go in
# one event, and its own CPU work (serialising, signing) does not compete with the burst.
LINGER = 0.005


class BackgroundSender:
    """Sends a writer's buffered entries from a thread of its own.

    Args:
        writer: The session's writer; only this thread (and the exit flush) flushes it.
        pacer: Paces CreateEvent calls; the thread waits on it before planning.
        max_pending: Unacknowledged messages at which hooks start to wait.
        name: Thread name.
        on_failure: Told of each failed attempt (for the failure metric).
        on_wait: Told how long a hook waited for room (for the wait metric).
    """

    def __init__(
        self,
        writer: EventWriter,
        *,
        pacer: Pacer,
        max_pending: int,
        name: str,
        on_failure: Callable[[BaseException], None],
        on_wait: Callable[[float], None],
    ) -> None:
        self._writer = writer
        self._pacer = pacer
        self._max_pending = max_pending
        self._on_failure = on_failure
        self._on_wait = on_wait
        self._cond = threading.Condition()
        # A request (hook, flush) takes the next generation; the thread has served a generation
        # once a writer flush that started after that request returned, i.e. sent everything
        # buffered before it. The writer's own buffer is the only count of what is pending.
        self._requested = 0  # generation of the newest send request
        self._served = 0  # generation the thread last sent everything for
        self._error: FlushError | None = None  # the latest attempt's failure, if it failed
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # --- called by hooks and the session manager ---------------------------------------------

    def wait_for_room(self) -> None:
        """Block while ``max_pending`` messages are unacknowledged (call before buffering)."""
        with self._cond:
            if self._writer.pending_message_count() < self._max_pending or self._stopped:
                return
            started = time.monotonic()
            self._requested += 1
            self._cond.notify_all()
            while self._writer.pending_message_count() >= self._max_pending and not self._stopped:
                self._cond.wait(0.5)
        self._on_wait(time.monotonic() - started)

    def added(self) -> None:
        """Messages were buffered; wake the thread if a batch is due."""
        with self._cond:
            if self._writer.buffer_full():
                self._requested += 1
                self._cond.notify_all()

    def request(self) -> None:
        """Send everything buffered (messages and records) soon; do not wait."""
        with self._cond:
            self._requested += 1
            self._cond.notify_all()

    def written(self) -> None:
        """An event was acknowledged: wake hooks waiting for room."""
        with self._cond:
            self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything buffered before the call is acknowledged.

        Once the thread is stopped (the manager closed), the write is made in the caller's
        thread, as in sync mode.

        Raises:
            FlushError: The latest attempt failed (its cause attached); the thread keeps
                retrying. Also raised, with a ``TimeoutError`` cause, when ``timeout`` passes.
        """
        with self._cond:
            stopped = self._stopped
        if stopped:  # after close(): no thread serves a request, so write here and now
            self._thread.join()  # once its last attempt is over, the writer is this thread's
            self._writer.flush()
            return
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._requested += 1
            generation = self._requested
            self._cond.notify_all()
            while self._served < generation:
                error = self._error  # the latest attempt failed, and none succeeded since
                if error is not None:
                    raise FlushError(error.pending_messages, error.cause) from error.cause
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    cause = TimeoutError(f"flush did not finish within {timeout} s")
                    raise FlushError(self._writer.pending_message_count(), cause) from cause
                self._cond.wait(remaining if remaining is not None else 0.5)

    def stop(self) -> None:
        """Stop the thread after its current attempt (the exit flush sends the rest)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    # --- the thread ------------------------------------------------------------------------

    def _due(self) -> bool:
        return (
            self._requested > self._served
            or self._writer.buffer_full()
            or self._writer.pending_message_count() >= self._max_pending
        )

    def _run(self) -> None:
        backoff = 0.0
        while True:
            with self._cond:
                while not self._stopped and not (self._due() or backoff):
                    self._cond.wait()
                if self._stopped:
                    return
                generation = self._requested
            if backoff:
                with self._cond:
                    self._cond.wait_for(lambda: self._stopped, backoff)
            # Linger, then wait for the quota: whatever arrives meanwhile joins this write.
            time.sleep(LINGER)
            while (pause := self._pacer.delay()) > 0:
                time.sleep(pause)
            try:
                self._writer.flush()
            except FlushError as exc:
                backoff = min(BACKOFF_MAX, backoff * 2 or BACKOFF_FIRST)
                self._failed(exc)
                continue
            backoff = 0.0
            with self._cond:
                if self._error is not None:
                    logger.info("background memory writes recovered")
                self._error = None
                self._served = max(self._served, generation)
                self._cond.notify_all()

    def _failed(self, exc: FlushError) -> None:
        with self._cond:
            first = self._error is None
            self._error = exc
            self._cond.notify_all()
        if first:  # once per streak of failures, not once per retry
            logger.error("background memory write failed; retrying with backoff: %s", exc)
        self._on_failure(exc)
