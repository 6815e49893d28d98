"""The flushes no caller asks for: the flush timer's, and the exit flush.

Both hold the scheduler's parts (or a weak reference to the scheduler), never the session
manager, so an unclosed manager is still collected, and its pending writes flushed then.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import TYPE_CHECKING

from .batcher import EventBatcher
from .sender import BackgroundSender

if TYPE_CHECKING:
    from .scheduler import WriteScheduler

logger = logging.getLogger(__name__)


def start_flush_timer(
    scheduler: WriteScheduler, interval: float, stop: threading.Event, name: str
) -> None:
    """Start the flush timer's daemon thread; it ends when ``stop`` is set."""
    threading.Thread(
        target=_flush_periodically,
        args=(weakref.ref(scheduler), interval, stop),
        daemon=True,
        name=name,
    ).start()


def _flush_periodically(
    scheduler_ref: weakref.ref[WriteScheduler], interval: float, stop: threading.Event
) -> None:
    """The flush timer: write buffered messages every ``interval`` seconds until stopped.

    Records alone are not flushed, so that they keep riding on the next message's write.
    """
    while not stop.wait(interval):
        current = scheduler_ref()
        if current is None:
            return
        if current.batcher.has_pending_messages():
            try:
                current.send_soon()
            except Exception:
                logger.exception("timed flush failed; will retry")
        del current


def flush_quietly(
    batcher: EventBatcher,
    sender: BackgroundSender | None,
    stop: threading.Event,
    memory_id: str,
) -> None:
    """Flush at interpreter exit, or when an unclosed manager is collected; never raises."""
    stop.set()
    if sender is not None:
        sender.stop()
    try:
        batcher.flush()
    except Exception:
        logger.exception("memory_id=<%s> | pending memory writes could not be flushed", memory_id)
