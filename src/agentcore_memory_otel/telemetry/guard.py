"""``safely``: run a telemetry hook so that a bug in it never fails the memory call around it."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TypeVar

from ..client.forks import reinit_locks

logger = logging.getLogger(__name__)

T = TypeVar("T")

_reported: set[str] = set()
_lock = threading.Lock()


def safely(hook: str, run: Callable[[], T]) -> T | None:
    """``run()``, or ``None`` if it raised.

    The first failure of each ``hook`` (by name) is logged with its traceback; later ones are
    silent, so a broken hook on a hot path does not flood the log.

    Args:
        hook: What the hook does (e.g. ``"response attributes"``), used in the log message.
        run: The telemetry work.
    """
    try:
        return run()
    except Exception:
        with _lock:
            first = hook not in _reported
            _reported.add(hook)
        if first:
            logger.exception(
                "telemetry hook %r failed; the memory call goes on without it "
                "(further failures of this hook are not logged)",
                hook,
            )
        return None


if hasattr(os, "register_at_fork"):
    # A lock a parent's thread held at a fork would stay held in the child.
    os.register_at_fork(after_in_child=lambda: reinit_locks(_lock))
