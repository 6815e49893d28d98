"""The journal's SQLite file: its schema, its connections and their transactions.

Every connection runs in WAL mode with ``synchronous=FULL``, so a commit is on disk when it
returns, and waits ``busy_timeout_ms`` for another connection's lock before it fails.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    record_key TEXT,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_scope ON entries (scope, id);
CREATE TABLE IF NOT EXISTS planned (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS planned_scope ON planned (scope, id);
CREATE TABLE IF NOT EXISTS redactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    planned_id INTEGER,
    message_id INTEGER,
    body TEXT
);
CREATE INDEX IF NOT EXISTS redactions_scope ON redactions (scope, id);
"""

TABLES = ("entries", "planned", "redactions")
"""Every table of the schema; each row names its session in ``scope``."""


def connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """A connection to the journal file, committing each write durably (WAL, synchronous=FULL)."""
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    return db


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on an error (a failed COMMIT included)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            try:
                self._db.execute("COMMIT")
                return
            except sqlite3.Error:
                # A COMMIT that failed (a full disk, a lock) may leave the transaction open;
                # end it, or every later BEGIN on this connection would fail too.
                self._rollback()
                raise
        self._rollback()

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
