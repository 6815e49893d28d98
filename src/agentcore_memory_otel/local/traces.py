"""A trace's events: the console's lookups by the ``traceId`` stamped into event metadata."""

from __future__ import annotations

from typing import Any

from .db import Database
from .events import TRACE_ID_SQL, event_shape
from .pagination import Keyset, keyset_page

_TRACE_ORDER = Keyset("TraceEvents", ("ts_ms", "seq"), descending=False)


def _trace_scope(
    memory_id: str, trace_id: str, actor_id: str | None, session_id: str | None
) -> tuple[list[str], list[Any]]:
    """The WHERE terms and parameters of a trace's events in a memory, actor or session."""
    where = ["memory_id = ?", f"{TRACE_ID_SQL} = ?"]
    params: list[Any] = [memory_id, trace_id]
    if actor_id is not None:
        where.append("actor_id = ?")
        params.append(actor_id)
    if session_id is not None:
        where.append("session_id = ?")
        params.append(session_id)
    return where, params


class TraceIndex:
    """Events by trace id, through the ``events_trace`` index (db.py)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def trace_events(
        self,
        memory_id: str,
        trace_id: str,
        *,
        actor_id: str | None = None,
        session_id: str | None = None,
        max_results: int,
        next_token: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Events whose ``traceId`` metadata is ``trace_id``, oldest first, in one query.

        Without an actor or session this spans the whole memory, through the ``events_trace``
        index, so its cost follows the trace's events, not the memory's size.
        """
        where, params = _trace_scope(memory_id, trace_id, actor_id, session_id)
        with self._db.read() as conn:
            page, token = keyset_page(
                conn,
                _TRACE_ORDER,
                "SELECT * FROM events",
                where,
                params,
                max_results=max_results,
                next_token=next_token,
            )
        return [event_shape(row, include_payload=True) for row in page], token

    def trace_event_count(
        self,
        memory_id: str,
        trace_id: str,
        *,
        actor_id: str | None = None,
        session_id: str | None = None,
    ) -> int:
        """How many events ``trace_events`` finds in the same scope, over all its pages."""
        where, params = _trace_scope(memory_id, trace_id, actor_id, session_id)
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT COUNT(*) FROM events WHERE {' AND '.join(where)}", params
            ).fetchone()
        return int(row[0])

    def memories_holding_trace(self, trace_id: str) -> list[str]:
        """Ids of the memories with at least one event of ``trace_id``, newest first.

        One indexed probe (``events_trace``) per memory: the cost follows the number of
        memories, not of events.
        """
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT memory_id FROM memories AS m WHERE EXISTS (SELECT 1 FROM events "
                f"WHERE memory_id = m.memory_id AND {TRACE_ID_SQL} = ?) "
                "ORDER BY created_ms DESC, memory_id",
                (trace_id,),
            ).fetchall()
        return [str(row[0]) for row in rows]
