"""Turning SIGTERM into a normal exit, so that buffered writes are flushed before the process ends.

Python's default SIGTERM action ends the process at once: no ``atexit`` handler runs, so the
exit flush never happens and buffered messages are lost. When a session manager is built in
the main thread and SIGTERM still has its default action, a handler is installed that raises
``SystemExit(143)`` instead: the main thread unwinds (releasing its locks), and the interpreter
exit flushes every live session manager. A handler the application installed itself is left
alone (its own orderly exit flushes the same way).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

_EXIT_STATUS = 128 + signal.SIGTERM


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(_EXIT_STATUS)


def exit_cleanly_on_sigterm() -> None:
    """Install the SIGTERM handler if SIGTERM has its default action and this is the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _exit_on_sigterm)
    except ValueError:  # not the main interpreter
        return
