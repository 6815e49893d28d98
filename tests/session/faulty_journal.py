"""Fault injection at the journal's SQLite seam: a connection wrapper that fails chosen statements.

``FaultyDb`` stands in for the journal's ``sqlite3.Connection``; while a fault is armed, a
statement that starts with one of its prefixes raises the ``sqlite3.OperationalError`` SQLite
itself raises for a locked database or a full disk, before the statement runs (so the
connection stays as SQLite would leave it).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from typing import Any

from agentcore_memory_otel import AgentCoreMemorySessionManager
from agentcore_memory_otel.session.write.scheduler import WriteScheduler

LOCKED = "database is locked"
DISK_FULL = "database or disk is full"
# The statements the writer (not a hook) runs: planning, and forgetting an acknowledged event.
WRITER_STATEMENTS = ("INSERT INTO planned", "DELETE FROM planned")


class FaultyDb:
    """Wraps a journal's connection; ``arm`` makes matching statements fail ``count`` times."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._faults: list[tuple[tuple[str, ...], str, int]] = []
        self.injected: Counter[str] = Counter()

    def arm(self, prefixes: tuple[str, ...], message: str, count: int = 1) -> None:
        """Fail the next ``count`` statements that start with one of ``prefixes``."""
        with self._lock:
            self._faults.append((prefixes, message, count))

    def disarm(self) -> None:
        with self._lock:
            self._faults.clear()

    def _check(self, sql: str) -> None:
        statement = sql.lstrip()
        with self._lock:
            for index, (prefixes, message, count) in enumerate(self._faults):
                if statement.startswith(prefixes):
                    if count <= 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = (prefixes, message, count - 1)
                    self.injected[message] += 1
                    raise sqlite3.OperationalError(message)

    def execute(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self._db.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self._db.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def faulty_journal(manager: AgentCoreMemorySessionManager) -> FaultyDb:
    """Put a ``FaultyDb`` between ``manager``'s journal and its SQLite connection."""
    assert isinstance(manager._scheduler, WriteScheduler)
    journal: Any = manager._scheduler.journal
    assert journal is not None
    wrapped = FaultyDb(journal._db)
    journal._db = wrapped
    return wrapped
