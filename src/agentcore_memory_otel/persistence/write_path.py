"""The write path of one session manager: writer, write mode, pacing, journal, timer, exit flush.

The session manager decides *what* to store (entries, under its lock); this module decides
*when* it is sent:

* ``sync``: a hook that fills the buffer (``batch_size``) flushes it before returning, so the
  message is stored before the turn goes on.
* ``background``: hooks only buffer and wake a ``BackgroundSender``; ``flush()`` waits for it.

In both modes CreateEvent calls are paced (``create_event_rate``), and with a journal every
entry is in it before the hook returns. The flush timer, the exit flush and the flush on
SIGTERM hold this object's parts, never the session manager, so an unclosed manager is still
collected and its pending writes flushed then.
"""

from __future__ import annotations

import functools
import logging
import threading
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, assert_never

from botocore.exceptions import ClientError

from ..config import AgentCoreMemoryConfig, WriteMode
from ..telemetry import names
from .clock import MonotonicClock
from .entries import PendingMessage, PendingRecord
from .journal import Journal
from .pacing import Pacer
from .planned import PlannedEvent
from .redaction import Deletion
from .sender import BackgroundSender
from .shutdown import exit_cleanly_on_sigterm
from .writer import EventWriter

if TYPE_CHECKING:
    from ..telemetry import InstrumentedMemoryApi

logger = logging.getLogger(__name__)


class WritePath:
    """Buffers, paces, journals and sends one session's entries.

    Args:
        config: The session manager's configuration.
        api: The instrumented API (sends, and records metrics).
        clock: The session manager's timestamp source.
        lock: The session manager's lock: held while entries are planned, so that a message
            is never planned without the record its hook changed.
        trace_keys: Metadata keys of the trace stamp, or ``None``.
    """

    def __init__(
        self,
        config: AgentCoreMemoryConfig,
        api: InstrumentedMemoryApi,
        clock: MonotonicClock,
        lock: threading.RLock,
        trace_keys: tuple[str, str] | None,
    ) -> None:
        self.mode = WriteMode(config.write_mode)
        self._config = config
        self._api = api
        self._lock = lock
        self._memory_id = config.memory_id
        self._pacer = Pacer(config.create_event_rate)
        self.journal: Journal | None = None
        if config.journal_path is not None:
            self.journal = Journal(
                config.journal_path, config.memory_id, config.actor_id, config.session_id
            )
        self.writer = EventWriter(
            memory_id=config.memory_id,
            actor_id=config.actor_id,
            session_id=config.session_id,
            batch_size=config.batch_size,
            clock=clock,
            send=self._pacer.paced(api.create_event),
            on_superseded=functools.partial(api.record_superseded, memory_id=config.memory_id),
            on_written=self._written,
            trace_keys=trace_keys,
            planning_lock=lock,
            journal=self.journal,
            delete=functools.partial(_delete_event, api),
        )
        api.watch_pending(config.memory_id, self.writer.pending_message_count)
        self._sender: BackgroundSender | None = None
        if self.mode is WriteMode.BACKGROUND:
            self._sender = BackgroundSender(
                self.writer,
                pacer=self._pacer,
                max_pending=config.max_pending_messages,
                name=f"agentcore-memory-writer-{config.session_id}",
                on_failure=lambda _: api.instruments.record_write_failure(
                    names.FAILURE_WRITE, config.memory_id
                ),
                on_wait=lambda seconds: api.instruments.hook_wait.record(
                    seconds, {names.GEN_AI_MEMORY_STORE_ID: config.memory_id}
                ),
            )
        self._timer_stop = threading.Event()
        if config.flush_interval_seconds:
            threading.Thread(
                target=_flush_periodically,
                args=(self, config.flush_interval_seconds),
                daemon=True,
                name=f"agentcore-memory-flush-{config.session_id}",
            ).start()
        exit_cleanly_on_sigterm()

    def replay_journal(self) -> int:
        """Re-send what the journal holds unacknowledged for this session; return messages sent.

        Planned events go again with their original clientTokens (the service deduplicates
        any it stored before the crash); entries never planned are planned and sent now.
        """
        if self.journal is None:
            return 0
        count = self.writer.load_journal()
        if count:
            self._api.instruments.journal_replayed.add(
                count, {names.GEN_AI_MEMORY_STORE_ID: self._memory_id}
            )
            logger.info(
                "session_id=<%s> | replaying %d journaled message(s)",
                self._config.session_id,
                count,
            )
        self.writer.flush()
        return count

    def finalizer(self, owner: object) -> weakref.finalize[Any, Any]:
        """Flush (quietly) when ``owner`` is collected or the interpreter exits."""
        return weakref.finalize(
            owner, _flush_quietly, self.writer, self._sender, self._timer_stop, self._memory_id
        )

    # --- called by the session manager's hooks -----------------------------------------------

    def wait_for_room(self) -> None:
        """Background mode: wait while the buffer is full. Call without holding the lock."""
        if self._sender is not None:
            self._sender.wait_for_room()

    def add_message(self, message: Sequence[PendingMessage]) -> None:
        """Buffer a message's entries (the caller holds the lock)."""
        self.writer.add_message(message)
        if self._sender is not None:
            self._sender.added()

    def replace_message(self, message: Sequence[PendingMessage]) -> bool:
        """Swap a buffered message for its rewrite; False when it is already planned."""
        return self.writer.replace_message(message)

    def redact(self, rewrite: Sequence[PendingMessage], originals: Sequence[Deletion]) -> None:
        """Store a redacted message's rewrite; its stored originals go once it is acknowledged.

        ``originals`` are events another writer stored it in; this writer finds its own.
        """
        self.writer.redact(rewrite)
        for deletion in originals:
            self.writer.add_deletion(deletion)
        if self._sender is not None:
            self._sender.added()

    def set_record(self, record: PendingRecord) -> None:
        """Buffer a record (replacing an unplanned one with the same key)."""
        self.writer.set_record(record)

    def message_added(self) -> None:
        """After a hook buffered messages: sync mode flushes a full buffer."""
        match self.mode:
            case WriteMode.SYNC:
                if self.writer.buffer_full():
                    self.writer.flush()
            case WriteMode.BACKGROUND:
                pass  # the sender was woken by add_message
            case _:
                assert_never(self.mode)

    def send_soon(self) -> None:
        """Send everything buffered now (sync) or soon (background), records included."""
        match self.mode:
            case WriteMode.SYNC:
                self.writer.flush()
            case WriteMode.BACKGROUND:
                assert self._sender is not None
                self._sender.request()
            case _:
                assert_never(self.mode)

    def pending_message_count(self) -> int:
        """Messages not yet acknowledged."""
        return self.writer.pending_message_count()

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything added so far is acknowledged.

        Raises:
            FlushError: A write failed (or, in background mode, ``timeout`` passed).
        """
        if self._sender is not None:
            self._sender.flush(timeout)
            return
        with self._lock:
            self.writer.flush()

    def close(self, timeout: float | None = None) -> None:
        """Stop the timer, flush, and stop the background thread."""
        self._timer_stop.set()
        self.flush(timeout)
        if self._sender is not None:
            self._sender.stop()

    def _written(self, event: PlannedEvent) -> None:
        self._api.instruments.record_write_lag(event.added_at, self.mode.value, self._memory_id)
        if self._sender is not None:
            self._sender.written()


def _delete_event(api: InstrumentedMemoryApi, request: dict[str, Any]) -> None:
    """DeleteEvent for a redacted original; raises only what a retry may overcome.

    An event already gone counts as deleted (a replay after a crash). Without permission to
    delete, a retry can never succeed and must not fail every later write: the original
    stays, and an error says so.
    """
    try:
        api.delete_event(request)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "AccessDeniedException":
            logger.error(
                "event_id=<%s> | the original of a redacted message could not be deleted and "
                "stays stored: allow bedrock-agentcore:DeleteEvent (%s)",
                request["eventId"],
                exc,
            )
        elif code != "ResourceNotFoundException":
            raise


def _flush_periodically(path: WritePath, interval: float) -> None:
    """The flush timer: write buffered messages every ``interval`` seconds until stopped.

    Records alone are not flushed, so that they keep riding on the next message's write.
    """
    stop = path._timer_stop
    path_ref = weakref.ref(path)
    del path
    while not stop.wait(interval):
        current = path_ref()
        if current is None:
            return
        if current.writer.has_pending_messages():
            try:
                current.send_soon()
            except Exception:
                logger.exception("timed flush failed; will retry")
        del current


def _flush_quietly(
    writer: EventWriter,
    sender: BackgroundSender | None,
    stop: threading.Event,
    memory_id: str,
) -> None:
    """Flush at interpreter exit, or when an unclosed manager is collected; never raises."""
    stop.set()
    if sender is not None:
        sender.stop()
    try:
        writer.flush()
    except Exception:
        logger.exception("memory_id=<%s> | pending memory writes could not be flushed", memory_id)
