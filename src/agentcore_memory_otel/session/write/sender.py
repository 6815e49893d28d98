"""Background write mode: one supervised sender thread per session manager, off the agent's turn.

Hooks only buffer entries and wake the thread. The thread lingers 5 ms and waits for the
pacer (messages that arrive meanwhile coalesce), plans everything buffered and sends it in
order through the same ``EventBatcher`` the sync mode uses, so batching rules, clientTokens
and timestamps are identical.

The thread is its own supervisor: *every* exception an attempt raises (a failed call, a
journal that is locked or on a full disk, a bug) is caught, counted and retried with
exponential backoff; the failure is logged once per streak. A ``flush()`` cuts the backoff
short and waits for an attempt that starts after it was asked: it raises that attempt's failure
as ``FlushError`` (the original error as its ``cause``), never an older one, so a flush after
the cause is gone succeeds. The thread only leaves its loop
when ``stop()`` asks it to. If it is gone anyway (the process forked, or the interpreter
killed it), the next hook or ``flush()`` notices and starts a new one, so nothing waits for a
thread that does not exist.

The buffer is bounded: a hook that finds ``max_pending`` messages unacknowledged waits until
the thread makes room (the wait is measured); nothing is dropped.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable

from .batcher import EventBatcher, FlushError
from .pacing import Pacer

logger = logging.getLogger(__name__)

BACKOFF_FIRST = 0.2
BACKOFF_MAX = 10.0
# Once woken, the thread lingers this long so that the messages a turn adds in a burst go in
# one event, and its own CPU work (serialising, signing) does not compete with the burst.
LINGER = 0.005
# A waiting flush() or hook looks at least this often whether the thread is still alive.
LIVENESS_CHECK = 0.5

_senders: weakref.WeakSet[BackgroundSender] = weakref.WeakSet()


class BackgroundSender:
    """Sends a batcher's buffered entries from a thread of its own, and keeps that thread alive.

    Args:
        batcher: The session's batcher; only this thread (and the exit flush) flushes it.
        pacer: Paces CreateEvent calls; the thread waits on it before planning.
        max_pending: Unacknowledged messages at which hooks start to wait.
        name: Thread name.
        on_failure: Told of each failed attempt (for the failure metric); must not raise.
        on_wait: Told how long a hook waited for room (for the wait metric); must not raise.
    """

    def __init__(
        self,
        batcher: EventBatcher,
        *,
        pacer: Pacer,
        max_pending: int,
        name: str,
        on_failure: Callable[[BaseException], None],
        on_wait: Callable[[float], None],
    ) -> None:
        self._batcher = batcher
        self._pacer = pacer
        self._max_pending = max_pending
        self._name = name
        self._on_failure = on_failure
        self._on_wait = on_wait
        self._cond = threading.Condition()
        # A request (hook, flush) takes the next generation; the thread has served a generation
        # once a batcher flush that started after that request returned, i.e. sent everything
        # buffered before it. The batcher's own buffer is the only count of what is pending.
        self._requested = 0  # generation of the newest send request
        self._served = 0  # generation a thread last sent everything for
        self._error: FlushError | None = None  # the latest attempt's failure, if it failed
        self._error_generation = 0  # the generation the failed attempt was sending for
        self._flushing = 0  # generation of the newest flush(): it cuts a backoff short
        self.failures = 0
        """Failed attempts so far (each one caught, counted and retried)."""
        self.restarts = 0
        """Threads started after the first (after a fork, a stop, or a thread that died)."""
        # Each thread runs for one epoch; stop() ends the epoch, so a thread that is still
        # finishing an attempt never outlives the stop and a restarted thread never doubles.
        self._epoch = 0
        self._thread: threading.Thread | None = None
        self._stopped = True
        _senders.add(self)
        with self._cond:
            self._start()

    # --- called by hooks and the session manager ---------------------------------------------

    @property
    def failed(self) -> FlushError | None:
        """The latest attempt's failure, while no attempt since has succeeded."""
        return self._error

    @property
    def running(self) -> bool:
        """Whether a thread serves this sender now."""
        with self._cond:
            return self._alive()

    def wait_for_room(self) -> None:
        """Block while ``max_pending`` messages are unacknowledged (call before buffering)."""
        with self._cond:
            if self._batcher.pending_message_count() < self._max_pending:
                return
            started = time.monotonic()
            self._requested += 1
            self._cond.notify_all()
            while self._batcher.pending_message_count() >= self._max_pending:
                self._ensure_running()
                self._cond.wait(LIVENESS_CHECK)
        self._on_wait(time.monotonic() - started)

    def added(self) -> None:
        """Messages were buffered; wake the thread if a batch is due (restart it if gone)."""
        with self._cond:
            self._ensure_running()
            if self._batcher.buffer_full():
                self._requested += 1
                self._cond.notify_all()

    def request(self) -> None:
        """Send everything buffered (messages and records) soon; do not wait."""
        with self._cond:
            self._ensure_running()
            self._requested += 1
            self._cond.notify_all()

    def written(self) -> None:
        """An event was acknowledged: wake hooks waiting for room."""
        with self._cond:
            self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything buffered before the call is acknowledged.

        Returns at once when nothing is pending. A thread that is gone is restarted; one that
        is backing off after a failure tries again at once. Only an attempt that starts after
        this call counts: a failure from before it (whose cause may be gone) is not raised.

        Raises:
            FlushError: An attempt that started after this call failed (its cause attached);
                the thread keeps retrying. Also raised, with a ``TimeoutError`` cause, when
                ``timeout`` passes.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            if self._batcher.is_empty():
                return
            self._ensure_running()
            self._requested += 1
            generation = self._requested
            self._flushing = generation
            self._cond.notify_all()
            while self._served < generation:
                error = self._error  # the latest attempt failed, and none succeeded since
                if error is not None and self._error_generation >= generation:
                    raise FlushError(error.pending_messages, error.cause) from error.cause
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    cause = TimeoutError(f"flush did not finish within {timeout} s")
                    raise FlushError(self._batcher.pending_message_count(), cause) from cause
                self._cond.wait(LIVENESS_CHECK if remaining is None else min(remaining, 0.5))
                self._ensure_running()

    def stop(self) -> None:
        """End the thread after its current attempt; a later hook or flush starts a new one."""
        with self._cond:
            self._stopped = True
            self._epoch += 1
            self._cond.notify_all()

    # --- the thread ------------------------------------------------------------------------

    def _alive(self) -> bool:
        return not self._stopped and self._thread is not None and self._thread.is_alive()

    def _ensure_running(self) -> None:
        """Start a thread if none serves this sender (call with ``_cond`` held)."""
        if self._alive():
            return
        if self._thread is not None:
            self.restarts += 1
            logger.info("background memory sender thread (re)started: %s", self._name)
        self._epoch += 1
        self._start()

    def _start(self) -> None:
        self._stopped = False
        self._thread = threading.Thread(
            target=self._run, args=(self._epoch,), name=self._name, daemon=True
        )
        self._thread.start()

    def _due(self) -> bool:
        return (
            self._requested > self._served
            or self._batcher.buffer_full()
            or self._batcher.pending_message_count() >= self._max_pending
        )

    def _run(self, epoch: int) -> None:
        backoff = 0.0
        generation = 0
        while True:
            with self._cond:
                while self._epoch == epoch and not (self._due() or backoff):
                    self._cond.wait()
                if backoff:
                    ended = functools.partial(self._backoff_ended, epoch, generation)
                    self._cond.wait_for(ended, backoff)
                if self._epoch != epoch:
                    return
                # Everything requested so far is buffered already: this attempt sends it.
                generation = self._requested
            try:
                # Linger, then wait for the quota: whatever arrives meanwhile joins this write.
                time.sleep(LINGER)
                while (pause := self._pacer.delay()) > 0:
                    time.sleep(pause)
                self._batcher.flush()
            except Exception as exc:  # the supervisor: whatever failed, retry it later
                backoff = min(BACKOFF_MAX, backoff * 2 or BACKOFF_FIRST)
                self._failed(exc, generation)
                continue
            backoff = 0.0
            with self._cond:
                if self._error is not None:
                    logger.info("background memory writes recovered")
                self._error = None
                self._served = max(self._served, generation)
                self._cond.notify_all()

    def _backoff_ended(self, epoch: int, failed_generation: int) -> bool:
        """Whether the thread stops backing off: it was stopped, or a flush() waits for it.

        A flush() asked after the failed attempt started waits for a new attempt, so it ends
        the backoff; a hook's request does not, so a busy agent does not hammer a failing
        service.
        """
        return self._epoch != epoch or self._flushing > failed_generation

    def _failed(self, exc: Exception, generation: int) -> None:
        error = exc if isinstance(exc, FlushError) else FlushError(self._pending(), exc)
        with self._cond:
            first = self._error is None
            self._error = error
            self._error_generation = generation
            self.failures += 1
            self._cond.notify_all()
        if first:  # once per streak of failures, not once per retry
            logger.error("background memory write failed; retrying with backoff: %s", error)
        self._on_failure(error)

    def _pending(self) -> int:
        try:
            return self._batcher.pending_message_count()
        except Exception:  # counting must not stop the supervisor
            return -1

    def _after_fork_in_child(self) -> None:
        """In a forked child: fresh locks, no thread (the next hook or flush starts one)."""
        self._cond = threading.Condition()
        self._stopped = True  # the parent's thread object stays, so the restart is counted
        self._error = None
        self._served = self._requested


def _after_fork_in_child() -> None:
    for sender in list(_senders):
        sender._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
