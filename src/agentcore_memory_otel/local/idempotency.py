"""clientToken idempotency: a repeated token gets the first answer, and a reused one an error.

Stored in the ``idempotency`` table, inside the caller's write transaction, so that a token's
check and its first use are atomic.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .errors import ValidationError
from .measure import digest


def fingerprint(body: dict[str, Any], *ignored: str) -> str:
    """A digest of a request body without ``clientToken`` and the ``ignored`` members."""
    return digest({k: v for k, v in body.items() if k not in ("clientToken", *ignored)})


def previous_answer(
    conn: sqlite3.Connection, memory_id: str, operation: str, token: str | None, fingerprint: str
) -> Any:
    """The answer stored for ``token``, or ``None`` if it is new.

    Raises:
        ValidationError: The token was used before with a different request
            (reason ``IdempotentParameterMismatchException``).
    """
    if not token:
        return None
    row = conn.execute(
        "SELECT fingerprint, response FROM idempotency WHERE memory_id = ? AND operation = ?"
        " AND client_token = ?",
        (memory_id, operation, token),
    ).fetchone()
    if row is None:
        return None
    if row["fingerprint"] != fingerprint:
        raise ValidationError.single(
            "clientToken",
            "Token was already used with a different request",
            reason="IdempotentParameterMismatchException",
        )
    return json.loads(row["response"])


def remember_answer(
    conn: sqlite3.Connection,
    memory_id: str,
    operation: str,
    token: str | None,
    fingerprint: str,
    answer: Any,
) -> None:
    """Store the answer given to ``token`` (nothing when there is no token)."""
    if token:
        conn.execute(
            "INSERT INTO idempotency (memory_id, operation, client_token, fingerprint, response)"
            " VALUES (?, ?, ?, ?, ?)",
            (memory_id, operation, token, fingerprint, json.dumps(answer)),
        )


def forget_content(conn: sqlite3.Connection, memory_id: str, event_id: str) -> None:
    """Drop a deleted event's payload and metadata from the CreateEvent answer remembered.

    A retry with its token is still answered (with the ids and an empty payload), and the
    deleted content is nowhere in the database.
    """
    rows = conn.execute(
        "SELECT operation, client_token, response FROM idempotency WHERE memory_id = ?"
        " AND json_extract(response, '$.eventId') = ?",
        (memory_id, event_id),
    ).fetchall()
    for row in rows:
        answer = json.loads(row["response"])
        answer["payload"] = []
        answer.pop("metadata", None)
        conn.execute(
            "UPDATE idempotency SET response = ? WHERE memory_id = ? AND operation = ?"
            " AND client_token = ?",
            (json.dumps(answer), memory_id, row["operation"], row["client_token"]),
        )
