"""Short-term memory: events, and the sessions and actors they imply.

Semantics kept from the real service (``docs/agentcore-memory-api.md``, "Paging and
ordering", "Idempotency"):

* eventId is the 19-digit zero-padded eventTimestamp in milliseconds, ``#``, and 8 hex digits.
* ListEvents returns newest first by eventTimestamp (milliseconds). **Tie-break:** events with
  the same millisecond come back in reverse creation order (the one stored last comes first), so
  the order is total and stable across pages and restarts.
* ``maxResults`` bounds the events *scanned*. Branch and metadata filters apply to the scanned
  page afterwards, so a filtered page may be short or empty and still carry a ``nextToken``.
* A repeated ``clientToken`` returns the event it created the first time and stores nothing,
  also when only ``eventTimestamp`` differs; the same token with a different actor, session,
  payload, branch or metadata is a ValidationException with reason
  ``IdempotentParameterMismatchException``.
* Sessions and actors exist implicitly, from their first event.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from .db import Database
from .errors import ResourceNotFoundError, ValidationError
from .event_filters import BranchFilter, MetadataFilter, branch_scope, in_scope, matches
from .idempotency import forget_content, previous_answer, remember_answer
from .measure import digest
from .memories import now_ms
from .pagination import Keyset, decode_token, encode_token, keyset_page

DEFAULT_BRANCH = "main"

# The stored trace id, as indexed by ``events_trace`` (db.py): SQLite uses that index only
# for this exact expression, so the key is part of the text, not a parameter.
TRACE_ID_SQL = "json_extract(metadata, '$.traceId.stringValue')"

_EVENTS_ORDER = Keyset("ListEvents", ("ts_ms", "seq"))
# The console's order; its tokens are not interchangeable with the API's.
_EVENTS_OLDEST_FIRST = Keyset("ListEventsOldestFirst", ("ts_ms", "seq"), descending=False)
EMPTY_SESSION_SECONDS = 86_400.0
"""How long a session left without events stays listed: the service removes it within a day."""
_SESSIONS_ORDER = Keyset("ListSessions", ("created_ms", "session_id"))
_ACTORS_ORDER = Keyset("ListActors", ("actor_id",), descending=False)


@dataclass(frozen=True)
class NewEvent:
    """A validated CreateEvent request."""

    actor_id: str
    session_id: str | None
    timestamp_ms: int
    payload: list[dict[str, Any]]
    branch: tuple[str, str | None] | None = None
    metadata: dict[str, dict[str, str]] | None = None
    client_token: str | None = None

    def fingerprint(self) -> str:
        """A digest of the request but its token and timestamp, to spot a token reused for another.

        The timestamp is left out because a client that re-sends a batch (the reference SDK's
        Strands memory store does) builds a new ``eventTimestamp`` with the same token.
        """
        body = [
            self.actor_id,
            self.session_id,
            self.payload,
            self.branch,
            self.metadata,
        ]
        return digest(body)


class EventStore:
    """Events, sessions and actors of every memory, in the shared database."""

    def __init__(self, db: Database, empty_session_seconds: float = EMPTY_SESSION_SECONDS) -> None:
        self._db = db
        self.empty_session_seconds = empty_session_seconds

    def create(self, memory_id: str, event: NewEvent) -> tuple[dict[str, Any], bool]:
        """Store an event; return its wire shape and whether it was newly created."""
        fingerprint = event.fingerprint()
        with self._db.write() as conn:
            stored = previous_answer(
                conn, memory_id, "CreateEvent", event.client_token, fingerprint
            )
            if stored is not None:
                return stored, False
            session_id = event.session_id or str(uuid.uuid4())
            branch_name, root_event_id = event.branch or (DEFAULT_BRANCH, None)
            if root_event_id is not None:
                self._check_root(conn, memory_id, event.actor_id, session_id, root_event_id)
            created = now_ms()
            conn.execute(
                "INSERT OR IGNORE INTO sessions (memory_id, actor_id, session_id, created_ms)"
                " VALUES (?, ?, ?, ?)",
                (memory_id, event.actor_id, session_id, created),
            )
            conn.execute(
                "DELETE FROM emptied_sessions WHERE memory_id = ? AND actor_id = ?"
                " AND session_id = ?",
                (memory_id, event.actor_id, session_id),
            )
            event_id = f"{event.timestamp_ms:019d}#{secrets.token_hex(4)}"
            metadata = json.dumps(event.metadata) if event.metadata else None
            conn.execute(
                "INSERT INTO events (memory_id, actor_id, session_id, event_id, ts_ms, created_ms,"
                " branch_name, root_event_id, payload, metadata)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    memory_id,
                    event.actor_id,
                    session_id,
                    event_id,
                    event.timestamp_ms,
                    created,
                    branch_name,
                    root_event_id,
                    json.dumps(event.payload),
                    metadata,
                ),
            )
            row = conn.execute(
                "SELECT * FROM events WHERE memory_id = ? AND actor_id = ? AND session_id = ?"
                " AND event_id = ?",
                (memory_id, event.actor_id, session_id, event_id),
            ).fetchone()
            shape = event_shape(row, include_payload=True)
            remember_answer(conn, memory_id, "CreateEvent", event.client_token, fingerprint, shape)
            return shape, True

    @staticmethod
    def _check_root(conn: Any, memory_id: str, actor_id: str, session_id: str, root: str) -> None:
        rows = conn.execute(
            "SELECT session_id FROM events WHERE memory_id = ? AND actor_id = ? AND event_id = ?",
            (memory_id, actor_id, root),
        ).fetchall()
        if not rows:
            raise ResourceNotFoundError(f"Event {root} not found")
        if all(r["session_id"] != session_id for r in rows):
            raise ValidationError.single(
                "branch.rootEventId",
                "Root event belongs to another session",
                reason="EventInOtherSession",
            )

    def get(self, memory_id: str, actor_id: str, session_id: str, event_id: str) -> dict[str, Any]:
        """Return one event, or raise ResourceNotFoundException."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM events WHERE memory_id = ? AND actor_id = ? AND session_id = ?"
                " AND event_id = ?",
                (memory_id, actor_id, session_id, event_id),
            ).fetchone()
        if row is None:
            raise ResourceNotFoundError(f"Event {event_id} not found")
        return event_shape(row, include_payload=True)

    def delete(self, memory_id: str, actor_id: str, session_id: str, event_id: str) -> None:
        """Delete one event permanently, or raise ResourceNotFoundException."""
        with self._db.write() as conn:
            cursor = conn.execute(
                "DELETE FROM events WHERE memory_id = ? AND actor_id = ? AND session_id = ?"
                " AND event_id = ?",
                (memory_id, actor_id, session_id, event_id),
            )
            # A repeated clientToken still gets the event's ids, but its content is gone.
            forget_content(conn, memory_id, event_id)
            self._note_if_emptied(conn, memory_id, actor_id, session_id)
        if cursor.rowcount == 0:
            raise ResourceNotFoundError(f"Event {event_id} not found")

    def _note_if_emptied(self, conn: Any, memory_id: str, actor_id: str, session_id: str) -> None:
        """A session left without events is removed after ``empty_session_seconds``.

        With 0 it goes at once (and the actor with its last session); otherwise it is listed
        until then, as the service lists an empty session for up to a day.
        """
        key = (memory_id, actor_id, session_id)
        remaining = conn.execute(
            "SELECT 1 FROM events WHERE memory_id = ? AND actor_id = ? AND session_id = ? LIMIT 1",
            key,
        ).fetchone()
        if remaining is not None:
            return
        if self.empty_session_seconds <= 0:
            conn.execute(
                "DELETE FROM sessions WHERE memory_id = ? AND actor_id = ? AND session_id = ?",
                key,
            )
            return
        conn.execute(
            "INSERT OR REPLACE INTO emptied_sessions (memory_id, actor_id, session_id,"
            " emptied_ms) VALUES (?, ?, ?, ?)",
            (*key, now_ms()),
        )

    def _expired_sql(self) -> tuple[str, list[Any]]:
        """A condition (on ``s``, a sessions row) true while the session is still listed."""
        cutoff = now_ms() - int(self.empty_session_seconds * 1000)
        return (
            "NOT EXISTS (SELECT 1 FROM emptied_sessions x WHERE x.memory_id = s.memory_id"
            " AND x.actor_id = s.actor_id AND x.session_id = s.session_id"
            " AND x.emptied_ms <= ?)",
            [cutoff],
        )

    def list_events(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        *,
        max_results: int,
        next_token: str | None,
        include_payloads: bool = True,
        branch: BranchFilter | None = None,
        metadata_filters: list[MetadataFilter] | None = None,
        oldest_first: bool = False,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One ListEvents page: scan ``max_results`` events newest first, then filter them.

        ``oldest_first`` reverses the order (the console's; the API has no such option), and
        its tokens are not interchangeable with the API's.
        """
        with self._db.read() as conn:
            scanned, token = keyset_page(
                conn,
                _EVENTS_OLDEST_FIRST if oldest_first else _EVENTS_ORDER,
                "SELECT * FROM events",
                ["memory_id = ?", "actor_id = ?", "session_id = ?"],
                [memory_id, actor_id, session_id],
                max_results=max_results,
                next_token=next_token,
            )
            scope = branch_scope(conn, memory_id, actor_id, session_id, branch)
        events = []
        for row in scanned:
            if scope is not None and not in_scope(row, scope):
                continue
            if metadata_filters:
                metadata = json.loads(row["metadata"]) if row["metadata"] else {}
                if not all(matches(metadata, f) for f in metadata_filters):
                    continue
            events.append(event_shape(row, include_payload=include_payloads))
        return events, token

    def stored_ms(
        self, memory_id: str, actor_id: str, session_id: str, event_ids: list[str]
    ) -> dict[str, int]:
        """When each of a session's events was stored (epoch ms), by eventId; gone ones absent."""
        marks = ",".join("?" * len(event_ids))
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT event_id, created_ms FROM events WHERE memory_id = ? AND actor_id = ?"
                f" AND session_id = ? AND event_id IN ({marks})",
                (memory_id, actor_id, session_id, *event_ids),
            ).fetchall()
        return {row["event_id"]: row["created_ms"] for row in rows}

    def stored_since(
        self,
        memory_id: str,
        actor_id: str,
        session_id: str,
        *,
        cursor: str | None,
        max_results: int,
    ) -> tuple[list[dict[str, Any]], str]:
        """Events of a session stored after ``cursor``, in storage order, and the next cursor.

        For watching a session: with no cursor, nothing is returned and the cursor marks
        "now"; each later call returns what arrived since, whatever its eventTimestamp.
        """
        position = decode_token("WatchSession", cursor, (int,))
        key = "memory_id = ? AND actor_id = ? AND session_id = ?"
        params: list[Any] = [memory_id, actor_id, session_id]
        with self._db.read() as conn:
            if position is None:
                row = conn.execute(f"SELECT MAX(seq) FROM events WHERE {key}", params).fetchone()
                return [], encode_token("WatchSession", [row[0] or 0])
            rows = conn.execute(
                f"SELECT * FROM events WHERE {key} AND seq > ? ORDER BY seq LIMIT ?",
                [*params, position[0], max_results],
            ).fetchall()
        last = rows[-1]["seq"] if rows else position[0]
        shapes = [event_shape(row, include_payload=True) for row in rows]
        return shapes, encode_token("WatchSession", [last])

    def list_sessions(
        self,
        memory_id: str,
        actor_id: str,
        *,
        max_results: int,
        next_token: str | None,
        has_events: bool = False,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Sessions of an actor, newest first (by creation, then sessionId)."""
        listed, cutoff = self._expired_sql()
        where = ["memory_id = ?", "actor_id = ?", listed]
        if has_events:
            where.append(
                "EXISTS (SELECT 1 FROM events e WHERE e.memory_id = s.memory_id"
                " AND e.actor_id = s.actor_id AND e.session_id = s.session_id)"
            )
        with self._db.read() as conn:
            page, token = keyset_page(
                conn,
                _SESSIONS_ORDER,
                "SELECT * FROM sessions s",
                where,
                [memory_id, actor_id, *cutoff],
                max_results=max_results,
                next_token=next_token,
            )
        summaries = [
            {
                "sessionId": r["session_id"],
                "actorId": r["actor_id"],
                "createdAt": r["created_ms"] / 1000,
            }
            for r in page
        ]
        return summaries, token

    def list_actors(
        self, memory_id: str, *, max_results: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Actors of a memory, in actorId order (those with a session still listed)."""
        listed, cutoff = self._expired_sql()
        with self._db.read() as conn:
            page, token = keyset_page(
                conn,
                _ACTORS_ORDER,
                "SELECT DISTINCT actor_id FROM sessions s",
                ["memory_id = ?", listed],
                [memory_id, *cutoff],
                max_results=max_results,
                next_token=next_token,
            )
        return [{"actorId": r["actor_id"]} for r in page], token


def event_shape(row: Any, *, include_payload: bool) -> dict[str, Any]:
    """An events row in the API's ``Event`` shape."""
    event: dict[str, Any] = {
        "memoryId": row["memory_id"],
        "actorId": row["actor_id"],
        "sessionId": row["session_id"],
        "eventId": row["event_id"],
        "eventTimestamp": row["ts_ms"] / 1000,
        "branch": {"name": row["branch_name"]},
    }
    if row["root_event_id"]:
        event["branch"]["rootEventId"] = row["root_event_id"]
    if include_payload:
        event["payload"] = json.loads(row["payload"])
    if row["metadata"]:
        event["metadata"] = json.loads(row["metadata"])
    return event
