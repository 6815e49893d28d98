"""Memory resources (the memory part of the control plane): create, get, list, delete.

Memories become ``ACTIVE`` as soon as they are created, so the ``memory_created`` waiter
returns at its first poll. Deleting a memory removes its events and records too.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from typing import Any

from .db import Database
from .errors import ResourceNotFoundError, ValidationError
from .pagination import Keyset, keyset_page

_ALNUM = string.ascii_letters + string.digits
_MEMORIES_ORDER = Keyset("ListMemories", ("created_ms", "memory_id"))

_STRATEGY_TYPES = {
    "semanticMemoryStrategy": "SEMANTIC",
    "summaryMemoryStrategy": "SUMMARIZATION",
    "userPreferenceMemoryStrategy": "USER_PREFERENCE",
    "customMemoryStrategy": "CUSTOM",
    "episodicMemoryStrategy": "EPISODIC",
}


def now_ms() -> int:
    """The current wall-clock time in epoch milliseconds."""
    return time.time_ns() // 1_000_000


def random_suffix(length: int = 10) -> str:
    """Random letters and digits, as AWS uses after the name in memory and strategy ids."""
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


class MemoryResources:
    """Stores memory resources in the ``memories`` table as JSON documents."""

    def __init__(self, db: Database, *, region: str, account_id: str) -> None:
        self._db = db
        self.region = region
        self.account_id = account_id

    def create(
        self,
        *,
        name: str,
        event_expiry_days: int,
        description: str | None = None,
        strategies: list[dict[str, Any]] | None = None,
        client_token: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create a memory; the same ``client_token`` returns the memory it created before."""
        with self._db.write() as conn:
            if client_token:
                row = conn.execute(
                    "SELECT document FROM memories WHERE client_token = ?", (client_token,)
                ).fetchone()
                if row is not None:
                    existing: dict[str, Any] = json.loads(row["document"])
                    if existing["name"] != name:
                        raise ValidationError.single(
                            "clientToken",
                            "Token was already used with different parameters",
                            reason="IdempotentParameterMismatchException",
                        )
                    return existing
            memory_id = f"{name}-{random_suffix()}"
            created = now_ms()
            arn = f"arn:aws:bedrock-agentcore:{self.region}:{self.account_id}:memory/{memory_id}"
            document: dict[str, Any] = {
                "arn": arn,
                "id": memory_id,
                "name": name,
                "eventExpiryDuration": event_expiry_days,
                "status": "ACTIVE",
                "createdAt": created / 1000,
                "updatedAt": created / 1000,
                "strategies": [_strategy_output(s, created) for s in strategies or []],
            }
            if description is not None:
                document["description"] = description
            document.update(extra or {})
            conn.execute(
                "INSERT INTO memories (memory_id, arn, name, created_ms, document, client_token)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (memory_id, arn, name, created, json.dumps(document), client_token or None),
            )
            return document

    def get(self, memory_id: str) -> dict[str, Any]:
        """Return a memory's document, or raise ResourceNotFoundException."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT document FROM memories WHERE memory_id = ?", (memory_id,)
            ).fetchone()
        if row is None:
            raise ResourceNotFoundError(f"Memory {memory_id} not found")
        document: dict[str, Any] = json.loads(row["document"])
        return document

    def require(self, memory_id: str) -> None:
        """Raise ResourceNotFoundException unless the memory exists."""
        with self._db.read() as conn:
            found = conn.execute(
                "SELECT 1 FROM memories WHERE memory_id = ?", (memory_id,)
            ).fetchone()
        if found is None:
            raise ResourceNotFoundError(f"Memory {memory_id} not found")

    def list_memories(
        self, *, max_results: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Memories newest first, as ``MemorySummary`` shapes."""
        with self._db.read() as conn:
            page, token = keyset_page(
                conn,
                _MEMORIES_ORDER,
                "SELECT memory_id, document, created_ms FROM memories",
                [],
                [],
                max_results=max_results,
                next_token=next_token,
            )
        summaries = []
        for row in page:
            doc = json.loads(row["document"])
            summaries.append({k: doc[k] for k in ("arn", "id", "status", "createdAt", "updatedAt")})
        return summaries, token

    def delete(self, memory_id: str) -> None:
        """Delete a memory with all of its events, sessions and records."""
        with self._db.write() as conn:
            cursor = conn.execute("DELETE FROM memories WHERE memory_id = ?", (memory_id,))
            if cursor.rowcount == 0:
                raise ResourceNotFoundError(f"Memory {memory_id} not found")
            for table in ("events", "sessions", "records", "idempotency"):
                conn.execute(f"DELETE FROM {table} WHERE memory_id = ?", (memory_id,))


def _strategy_output(strategy: dict[str, Any], created_ms: int) -> dict[str, Any]:
    """Turn a ``MemoryStrategyInput`` union into the ``MemoryStrategy`` output shape."""
    kind, body = next(iter(strategy.items()))
    templates = body.get("namespaceTemplates") or body.get("namespaces") or []
    output: dict[str, Any] = {
        "strategyId": f"{body['name']}-{random_suffix()}",
        "name": body["name"],
        "type": _STRATEGY_TYPES[kind],
        "namespaces": templates,
        "namespaceTemplates": templates,
        "status": "ACTIVE",
        "createdAt": created_ms / 1000,
        "updatedAt": created_ms / 1000,
    }
    if "description" in body:
        output["description"] = body["description"]
    return output
