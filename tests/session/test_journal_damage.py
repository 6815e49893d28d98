"""A journal row damaged outside this package: a clear error, and nothing lost or sent.

The manager built on such a journal refuses to start with ``JournalRowError`` naming the
file, the table and the row; every row stays, so once the row is fixed (or the session's rows
are erased) the next manager replays the rest exactly as before.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.write.journal_rows import JournalRowError

from .conftest import ManagerFactory, make_agent, no_trim, stored_events

DAMAGE = ["not json", "[1, 2]", '{"request": {}}', "\ud800", "null", '{"request": "x"}']


def _counts(journal: Path) -> tuple[int, ...]:
    with contextlib.closing(sqlite3.connect(journal)) as db:
        return tuple(
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("entries", "planned", "redactions")
        )


IDS = ["text", "list", "missing", "surrogate", "null", "request-not-object"]


@pytest.mark.parametrize("damage", DAMAGE, ids=IDS)
def test_a_damaged_planned_row_stops_the_manager_and_loses_nothing(
    make_manager: ManagerFactory,
    server: LocalMemoryServer,
    memory_id: str,
    tmp_path: Path,
    damage: str,
) -> None:
    journal = tmp_path / "journal.db"
    manager = make_manager(journal_path=journal)
    agent = make_agent(manager, ["one", "two"], conversation_manager=no_trim())
    agent("first")
    server.faults.commit_then_fail(1000)  # stored, answered with errors: rows stay planned
    with contextlib.suppress(Exception):
        agent("second")
    server.faults.reset()
    with contextlib.closing(sqlite3.connect(journal)) as db, db:
        row_id, body = db.execute("SELECT id, body FROM planned ORDER BY id").fetchone()
        db.execute(
            "UPDATE planned SET body = ? WHERE id = ?",
            (damage.encode("utf-8", "surrogatepass"), row_id),
        )
    counts = _counts(journal)
    created = server.stats.count("CreateEvent", outcome="success")
    with pytest.raises(JournalRowError) as raised:
        make_manager(journal_path=journal)
    message = str(raised.value)
    assert str(journal) in message and f"row {row_id} of table 'planned'" in message
    assert (raised.value.table, raised.value.row_id) == ("planned", row_id)
    assert _counts(journal) == counts  # nothing removed
    assert server.stats.count("CreateEvent", outcome="success") == created  # nothing sent
    with contextlib.closing(sqlite3.connect(journal)) as db, db:
        db.execute("UPDATE planned SET body = ? WHERE id = ?", (body, row_id))
    resumed = make_agent(make_manager(journal_path=journal), conversation_manager=no_trim())
    texts = [b["text"] for m in resumed.messages for b in m["content"] if "text" in b]
    assert texts == ["first", "one", "second"]
    assert sum(1 for e in stored_events(server, memory_id) if "second" in str(e)) == 1
