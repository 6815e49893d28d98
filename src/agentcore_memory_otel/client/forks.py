"""What a forked child does with the locks its parent's threads held: reset them.

A child process starts with one thread; a lock another thread of the parent held at the fork
stays held for ever in the child. The package's lock holders (the WriteScheduler, the sender,
the journal, telemetry's guard and instruments) reset theirs in
``os.register_at_fork(after_in_child=...)`` callbacks through this one helper.
"""

from __future__ import annotations

from typing import Any


def reinit_locks(*locks: Any) -> None:
    """Reset ``locks`` to unlocked, in place (references to them stay valid)."""
    for lock in locks:
        # CPython's own threading module resets its locks this way after a fork.
        lock._at_fork_reinit()
