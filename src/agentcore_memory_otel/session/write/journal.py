"""The durable local journal: a SQLite file holding every entry until AgentCore acknowledged it.

Rows, per session (memory, actor, session; the memory by its bare id, so a config that names
it by ARN and one that names it by id share rows):

* ``entries``: messages and records as their hooks built them, not yet planned. A record row
  is replaced by a newer record with the same key, as in the batcher's buffer.
* ``planned``: CreateEvent requests as planned, clientToken included. Planning moves a
  session's entries into planned rows in one transaction; an acknowledged event's row is
  deleted.
* ``redactions``: originals of redacted messages to delete (see ``redaction``). A row names a
  planned event (its ``planned_id``) while the original is in flight, and holds the planned
  ``Deletion`` from the moment that event is acknowledged (in the same transaction); the row
  goes once the original is deleted.

A session manager built on the same journal loads both and sends them before anything else:
planned requests go again unchanged, so the service deduplicates whatever it had stored before
the crash, and entries are planned as usual. Every write commits before the hook returns
(``synchronous=FULL`` in WAL mode), so a killed process loses nothing a hook accepted; the file
itself is only as durable as the disk it is on.

One live session manager per session and journal: two would each replay the other's entries.
Planning moves only the entry rows this object wrote or loaded, so a forked child, which
starts with none, never takes its parent's rows.

Rows written by an older version, keyed by the memory id exactly as configured (an ARN, say),
are re-keyed to the bare id when a journal object for that session opens the file.

The file's schema, connections and transactions are in ``journal_db``; what a row's body
holds, and how a replay reads it back, in ``journal_rows``.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ...client.forks import reinit_locks
from ...wire.limits import bare_memory_id
from ...wire.pending import PendingMessage, PendingRecord
from ...wire.planned import PlannedEvent
from .journal_db import SCHEMA, TABLES, Transaction, connect
from .journal_rows import (
    event_body,
    event_from,
    message_body,
    message_from,
    read_row,
    record_body,
    record_from,
)
from .redaction import Deletion


class Journal:
    """One session's rows in a journal file (the file may hold many sessions).

    Args:
        path: The SQLite file (created if missing).
        memory_id, actor_id, session_id: The session whose rows this object reads and writes.
        branch: The session's branch; a branch other than ``main`` has rows of its own (a
            manager of ``main`` and one of a branch may share a file).
    """

    busy_timeout_ms = 10_000
    """How long a statement waits for another connection's lock before it fails."""

    def __init__(
        self, path: Path, memory_id: str, actor_id: str, session_id: str, branch: str = "main"
    ) -> None:
        self._path = path
        # main keeps the scope rows had before branches, so existing journals replay unchanged.
        self._identity: tuple[str, ...] = (bare_memory_id(memory_id), actor_id, session_id)
        if branch != "main":
            self._identity += (branch,)
        self._scope = json.dumps(list(self._identity))
        self._lock = threading.Lock()
        # Entry rows this object wrote or loaded: the only ones planning moves.
        self._entry_ids: list[int] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = self._connect()
        _journals.add(self)
        with self._lock:
            self._db.executescript(SCHEMA)
            self._adopt_older_scopes()

    def _connect(self) -> sqlite3.Connection:
        return connect(self._path, self.busy_timeout_ms)

    def _adopt_older_scopes(self) -> None:
        """Re-key this session's rows written under another spelling of the memory id."""
        scopes = self._db.execute(
            "SELECT DISTINCT scope FROM entries UNION SELECT DISTINCT scope FROM planned"
            " UNION SELECT DISTINCT scope FROM redactions"
        ).fetchall()
        older = [scope for (scope,) in scopes if scope != self._scope and self._owns(scope)]
        if not older:
            return
        with self._transaction():
            for scope in older:
                for table in TABLES:
                    self._db.execute(
                        f"UPDATE {table} SET scope = ? WHERE scope = ?",
                        (self._scope, scope),
                    )

    def _owns(self, scope: str) -> bool:
        try:
            memory_id, *rest = json.loads(scope)
        except (ValueError, TypeError):
            return False  # not a scope this code wrote: leave it alone
        if not isinstance(memory_id, str):
            return False
        return (bare_memory_id(memory_id), *rest) == self._identity

    def after_fork_in_child(self) -> None:
        """In a forked child: a connection of its own and no rows (they are the parent's).

        The inherited connection is never used again, nor closed (closing it could release
        or checkpoint what the parent's connection relies on): it is kept until exit.
        """
        reinit_locks(self._lock)
        _inherited.append(self._db)
        self._db = self._connect()
        self._entry_ids = []

    def add_messages(self, messages: Sequence[PendingMessage]) -> None:
        """Journal a message's entries, all its parts in one commit, done when this returns."""
        bodies = [json.dumps(message_body(m)) for m in messages]
        # One transaction: a crash never leaves some parts of a message to replay, and a
        # message in n parts costs one synced commit, not n.
        with self._lock:
            with self._transaction():
                ids = [self._insert_entry(None, body) for body in bodies]
            self._entry_ids += ids

    def replace_message(self, messages: Sequence[PendingMessage]) -> None:
        """Swap the journaled entries of a buffered message for its rewrite's."""
        identity = (messages[0].agent_id, messages[0].message_id)
        bodies = [json.dumps(message_body(m)) for m in messages]
        with self._lock:
            with self._transaction():
                removed: set[int] = set()
                for row_id, body in self._db.execute(
                    "SELECT id, body FROM entries WHERE scope = ? AND record_key IS NULL",
                    (self._scope,),
                ).fetchall():
                    data = json.loads(body)
                    if (data["agent_id"], data["message_id"]) == identity:
                        self._db.execute("DELETE FROM entries WHERE id = ?", (row_id,))
                        removed.add(row_id)
                ids = [self._insert_entry(None, body) for body in bodies]
            self._entry_ids = [i for i in self._entry_ids if i not in removed] + ids

    def set_record(self, record: PendingRecord) -> None:
        """Journal a record, replacing an unplanned one with the same key."""
        key = json.dumps([record.kind.value, record.subject_id])
        body = json.dumps(record_body(record))
        with self._lock:
            with self._transaction():
                self._db.execute(
                    "DELETE FROM entries WHERE scope = ? AND record_key = ?", (self._scope, key)
                )
                row_id = self._insert_entry(key, body)
            self._entry_ids.append(row_id)

    def _insert_entry(self, record_key: str | None, body: str) -> int:
        cursor = self._db.execute(
            "INSERT INTO entries (scope, record_key, body) VALUES (?, ?, ?)",
            (self._scope, record_key, body),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def plan(self, events: Iterable[PlannedEvent]) -> list[int]:
        """Move the session's entries into planned rows; return each event's row id.

        ``events`` are planned from every entry this object wrote or loaded.
        """
        bodies = [json.dumps(event_body(event)) for event in events]
        with self._lock:
            with self._transaction():
                self._db.executemany(
                    "DELETE FROM entries WHERE id = ?", [(i,) for i in self._entry_ids]
                )
                ids: list[int] = []
                for body in bodies:
                    cursor = self._db.execute(
                        "INSERT INTO planned (scope, body) VALUES (?, ?)", (self._scope, body)
                    )
                    assert cursor.lastrowid is not None
                    ids.append(cursor.lastrowid)
            self._entry_ids = []
            return ids

    def acknowledged(self, row_id: int, redacted: Deletion | None = None) -> None:
        """Forget a planned event the service acknowledged.

        ``redacted`` is its deletion, when messages in it were redacted while it was in flight.
        """
        with self._lock, self._transaction():
            self._db.execute("DELETE FROM planned WHERE id = ?", (row_id,))
            rows = self._db.execute(
                "SELECT id FROM redactions WHERE planned_id = ? ORDER BY id", (row_id,)
            ).fetchall()
            if rows and redacted is not None:
                # The in-flight notes become the one planned deletion of the original.
                redacted.journal_id = rows[0][0]
                self._db.execute(
                    "UPDATE redactions SET planned_id = NULL, body = ? WHERE id = ?",
                    (json.dumps(redacted.to_json()), rows[0][0]),
                )
                rows = rows[1:]
            self._db.executemany("DELETE FROM redactions WHERE id = ?", rows)

    def redact_planned(self, planned_id: int, message_id: int) -> None:
        """Note that the original of ``message_id`` is in planned event ``planned_id``."""
        with self._lock:
            self._db.execute(
                "INSERT INTO redactions (scope, planned_id, message_id) VALUES (?, ?, ?)",
                (self._scope, planned_id, message_id),
            )

    def add_deletion(self, deletion: Deletion) -> int:
        """Journal an acknowledged original to delete; return its row id."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO redactions (scope, body) VALUES (?, ?)",
                (self._scope, json.dumps(deletion.to_json())),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def deleted(self, row_id: int) -> None:
        """Forget an original that is deleted."""
        with self._lock:
            self._db.execute("DELETE FROM redactions WHERE id = ?", (row_id,))

    def load(
        self,
    ) -> tuple[list[PlannedEvent], list[PendingMessage], list[PendingRecord], list[Deletion]]:
        """Everything unacknowledged: planned events in order, unplanned entries, deletions.

        Each planned event carries its ``journal_id``, to forget it once acknowledged, and
        the ids of its messages redacted while it was in flight.
        """
        with self._lock:
            planned = self._db.execute(
                "SELECT id, body FROM planned WHERE scope = ? ORDER BY id", (self._scope,)
            ).fetchall()
            entries = self._db.execute(
                "SELECT id, record_key, body FROM entries WHERE scope = ? ORDER BY id",
                (self._scope,),
            ).fetchall()
            redactions = self._db.execute(
                "SELECT id, planned_id, message_id, body FROM redactions WHERE scope = ? "
                "ORDER BY id",
                (self._scope,),
            ).fetchall()
            known = set(self._entry_ids)
            self._entry_ids += [row_id for row_id, _, _ in entries if row_id not in known]
        row = functools.partial(read_row, self._path)
        events = [row("planned", i, body, functools.partial(event_from, i)) for i, body in planned]
        by_row = {event.journal_id: event for event in events}
        deletions: list[Deletion] = []
        for i, planned_id, message_id, body in redactions:
            if body is not None:
                deletions.append(row("redactions", i, body, functools.partial(_deletion, i)))
            elif planned_id in by_row:
                by_row[planned_id].redacted.add(message_id)
        messages = [row("entries", i, b, message_from) for i, key, b in entries if key is None]
        records = [row("entries", i, b, record_from) for i, key, b in entries if key is not None]
        messages.sort(key=lambda m: m.timestamp_ms)  # a rewrite keeps its original's place
        return events, messages, records, deletions

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    def _transaction(self) -> Transaction:
        return Transaction(self._db)


def erase_rows(
    path: Path, memory_id: str, actor_id: str, session_id: str | None = None, *, dry_run: bool
) -> int:
    """Delete (or, with ``dry_run``, count) the journal's rows of an actor or one session.

    Every table's rows go, in one transaction: unsent entries, planned events and redaction
    notes. Rows are matched as a journal object matches its own (the memory by its bare id).
    A live session manager on one of these sessions would write new rows; stop it first.

    Raises:
        FileNotFoundError: ``path`` is not an existing file (nothing is created).
        sqlite3.DatabaseError: The file is not a journal.
    """
    if not path.is_file():
        raise FileNotFoundError(f"journal_path {str(path)!r} is not an existing file")
    wanted = (bare_memory_id(memory_id), actor_id)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(Journal.busy_timeout_ms)}")
        tables = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        present = [t for t in TABLES if t in tables]
        with Transaction(db):
            scopes = {
                scope
                for table in present
                for (scope,) in db.execute(f"SELECT DISTINCT scope FROM {table}")
            }
            mine = [scope for scope in scopes if _scope_of(scope, wanted, session_id)]
            count = 0
            for table in present:
                for scope in mine:
                    statement = "SELECT COUNT(*)" if dry_run else "DELETE"
                    cursor = db.execute(f"{statement} FROM {table} WHERE scope = ?", (scope,))
                    count += cursor.fetchone()[0] if dry_run else cursor.rowcount
        return count
    finally:
        db.close()


def _scope_of(scope: object, actor: tuple[str, str], session_id: str | None) -> bool:
    """Whether a row's scope is a session of ``actor`` (``(bare memory id, actor id)``)."""
    try:
        # A branch other than main adds its name: [memory, actor, session, branch].
        memory_id, actor_id, session, *branch = json.loads(str(scope))
    except (ValueError, TypeError):
        return False  # not a scope this code wrote: leave it alone
    if len(branch) > 1:
        return False
    if not isinstance(memory_id, str) or (bare_memory_id(memory_id), actor_id) != actor:
        return False
    return session_id is None or session == session_id


# Connections a forked child inherited: never used or closed again (see after_fork_in_child).
_inherited: list[sqlite3.Connection] = []
_journals: weakref.WeakSet[Journal] = weakref.WeakSet()
_held_over_fork: list[Journal] = []
# A fork waits at most this long for a journal transaction in progress to end.
_FORK_WAIT_S = 10.0


def _before_fork() -> None:
    """Hold every journal's lock over a fork, so no SQLite transaction is in progress then.

    SQLite keeps a process's file locks in memory shared by its connections; a child that
    inherited a connection mid-transaction would find the file locked for ever by a
    connection that no longer exists in it.
    """
    for journal in list(_journals):
        if journal._lock.acquire(timeout=_FORK_WAIT_S):
            _held_over_fork.append(journal)


def _after_fork_in_parent() -> None:
    while _held_over_fork:
        _held_over_fork.pop()._lock.release()


def _after_fork_in_child() -> None:
    _held_over_fork.clear()  # the child's journals reset their locks (after_fork_in_child)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork,
        after_in_parent=_after_fork_in_parent,
        after_in_child=_after_fork_in_child,
    )


def _deletion(row_id: int, body: Any) -> Deletion:
    return Deletion.from_json(body, row_id)
