"""The local server's SQLite database: schema, connection and transactions.

One connection per ``Database``, in WAL mode, guarded by a lock: the HTTP layer calls the store
from a thread pool, and serialising statements inside one process is both simple and fast enough
for a development server. Writes use ``BEGIN IMMEDIATE`` so that two server processes sharing a
file cannot interleave a read-check-write sequence (such as a clientToken lookup and its insert).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS memories (
    memory_id     TEXT PRIMARY KEY,
    arn           TEXT NOT NULL,
    name          TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    document      TEXT NOT NULL,
    client_token  TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS memories_token ON memories(client_token);

CREATE TABLE IF NOT EXISTS sessions (
    memory_id   TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (memory_id, actor_id, session_id)
);

-- Sessions left without events (their last one deleted), and since when: the service removes
-- such a session within a day (events.EventStore's empty_session_seconds).
CREATE TABLE IF NOT EXISTS emptied_sessions (
    memory_id   TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    emptied_ms  INTEGER NOT NULL,
    PRIMARY KEY (memory_id, actor_id, session_id)
);

CREATE TABLE IF NOT EXISTS events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    memory_id     TEXT NOT NULL,
    actor_id      TEXT NOT NULL,
    session_id    TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    ts_ms         INTEGER NOT NULL,
    created_ms    INTEGER NOT NULL,
    branch_name   TEXT NOT NULL,
    root_event_id TEXT,
    payload       TEXT NOT NULL,
    metadata      TEXT,
    UNIQUE (memory_id, actor_id, session_id, event_id)
);
CREATE INDEX IF NOT EXISTS events_order
    ON events(memory_id, actor_id, session_id, ts_ms DESC, seq DESC);
-- The console's lookup of a trace's events across a memory (events.TRACE_ID_SQL, verbatim).
CREATE INDEX IF NOT EXISTS events_trace
    ON events(memory_id, json_extract(metadata, '$.traceId.stringValue'));

CREATE TABLE IF NOT EXISTS idempotency (
    memory_id     TEXT NOT NULL,
    operation     TEXT NOT NULL,
    client_token  TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    response      TEXT NOT NULL,
    PRIMARY KEY (memory_id, operation, client_token)
);
-- A deleted event's remembered CreateEvent answer, found to drop its content (events.delete).
CREATE INDEX IF NOT EXISTS idempotency_event
    ON idempotency(memory_id, json_extract(response, '$.eventId'));

CREATE TABLE IF NOT EXISTS records (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    memory_id           TEXT NOT NULL,
    record_id           TEXT NOT NULL UNIQUE,
    namespace           TEXT NOT NULL,
    strategy_id         TEXT NOT NULL,
    text                TEXT NOT NULL,
    created_ms          INTEGER NOT NULL,
    timestamp_ms        INTEGER,
    metadata            TEXT
);
-- Newest first within a namespace or a memory: ListMemoryRecords pages and the records that fill
-- RetrieveMemoryRecords' topK after its matches are read in this order, without a sort.
DROP INDEX IF EXISTS records_namespace;
CREATE INDEX IF NOT EXISTS records_namespace_recent
    ON records(memory_id, namespace, created_ms DESC, seq DESC);
CREATE INDEX IF NOT EXISTS records_recent ON records(memory_id, created_ms DESC, seq DESC);

-- Full-text index of record texts for RetrieveMemoryRecords (BM25), kept in step by triggers.
CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5(
    text, content='records', content_rowid='seq', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS records_fts_insert AFTER INSERT ON records BEGIN
    INSERT INTO records_fts(rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER IF NOT EXISTS records_fts_delete AFTER DELETE ON records BEGIN
    INSERT INTO records_fts(records_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
CREATE TRIGGER IF NOT EXISTS records_fts_update AFTER UPDATE OF text ON records BEGIN
    INSERT INTO records_fts(records_fts, rowid, text) VALUES ('delete', old.seq, old.text);
    INSERT INTO records_fts(rowid, text) VALUES (new.seq, new.text);
END;

CREATE TABLE IF NOT EXISTS extraction_jobs (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id          TEXT NOT NULL UNIQUE,
    memory_id       TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    strategy_id     TEXT NOT NULL,
    status          TEXT NOT NULL,
    failure_reason  TEXT,
    messages        TEXT NOT NULL,
    variables       TEXT,
    content         TEXT,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS extraction_jobs_status ON extraction_jobs(status, seq);
"""


class Database:
    """A SQLite file (or ``:memory:``) holding all of the local server's state."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self._conn.row_factory = sqlite3.Row
        with self._lock:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            indexed = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'records_fts'"
            ).fetchone()
            self._conn.executescript(SCHEMA)
            if indexed is None:  # a file from before the index: index its records once
                self._conn.execute("INSERT INTO records_fts(records_fts) VALUES ('rebuild')")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Run statements that only read; they see one consistent snapshot."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Run statements as one atomic write transaction, rolled back on any exception."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection; the file keeps everything committed."""
        with self._lock:
            self._conn.close()
