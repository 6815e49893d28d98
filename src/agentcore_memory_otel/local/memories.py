"""Memory resources (the memory part of the control plane): create, get, list, update, delete.

Memories are ``ACTIVE`` as soon as they are created, with their strategies ``ACTIVE`` too, so
the ``memory_created`` waiter returns at its first poll. An UpdateMemory that adds, modifies or
deletes strategies puts the memory in ``UPDATING``, added strategies in ``CREATING`` and deleted
ones in ``DELETING``; ``settle_seconds`` later (0.5 s by default) the next read finds the memory
and its strategies ``ACTIVE`` and the deleted strategies gone. Other updates apply at once.
Deleting a memory removes its events and records too.
"""

from __future__ import annotations

import copy
import json
import secrets
import sqlite3
import string
import time
from typing import Any

from .db import Database
from .errors import ResourceNotFoundError, ValidationError
from .idempotency import fingerprint, previous_answer, remember_answer
from .pagination import Keyset, keyset_page
from .strategies import check_names, modify, new_strategy

_ALNUM = string.ascii_letters + string.digits
_MEMORIES_ORDER = Keyset("ListMemories", ("created_ms", "memory_id"))
DEFAULT_SETTLE_SECONDS = 0.5
MAX_STRATEGIES = 6
# Document members that are the server's own bookkeeping, never sent.
_PRIVATE = ("_tags", "_fingerprint", "_settleAtMs")


def now_ms() -> int:
    """The current wall-clock time in epoch milliseconds."""
    return time.time_ns() // 1_000_000


def random_suffix(length: int = 10) -> str:
    """Random letters and digits, as AWS uses after the name in memory and strategy ids."""
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def public(document: dict[str, Any]) -> dict[str, Any]:
    """The ``Memory`` shape of a stored document."""
    return {k: v for k, v in document.items() if k not in _PRIVATE}


class MemoryResources:
    """Stores memory resources in the ``memories`` table as JSON documents.

    Args:
        db: The shared database.
        region: Region used in memory ARNs.
        account_id: Account id used in memory ARNs.
        settle_seconds: How long strategy changes stay CREATING/DELETING (memory UPDATING).
    """

    def __init__(
        self,
        db: Database,
        *,
        region: str,
        account_id: str,
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    ) -> None:
        self._db = db
        self.region = region
        self.account_id = account_id
        self.settle_seconds = settle_seconds

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a memory from a validated CreateMemory body; return its ``Memory`` shape.

        The same ``clientToken`` with the same request returns the memory created first; with
        a different request it is a ValidationException (``IdempotentParameterMismatchException``).
        """
        token = body.get("clientToken") or None
        digest = fingerprint(body)
        with self._db.write() as conn:
            if token:
                existing = _created_with(conn, token, digest)
                if existing is not None:
                    return public(existing)
            name = body["name"]
            if conn.execute("SELECT 1 FROM memories WHERE name = ?", (name,)).fetchone():
                # The service refuses a second memory of one name; the reference SDK's
                # create_or_get_memory relies on this answer to fall back to the existing one.
                raise ValidationError.single(
                    "name", f"Memory with name {name} already exists", reason="ResourceConflict"
                )
            memory_id = f"{name}-{random_suffix()}"
            created = now_ms()
            arn = f"arn:aws:bedrock-agentcore:{self.region}:{self.account_id}:memory/{memory_id}"
            document = _new_document(body, arn, memory_id, created)
            document["_fingerprint"] = digest
            conn.execute(
                "INSERT INTO memories (memory_id, arn, name, created_ms, document, client_token)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (memory_id, arn, name, created, json.dumps(document), token),
            )
            return public(document)

    def update(self, memory_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply a validated UpdateMemory body; return the memory's ``Memory`` shape.

        The same ``clientToken`` with the same request returns the first answer.
        """
        token = body.get("clientToken") or None
        digest = fingerprint(body)
        with self._db.write() as conn:
            previous = previous_answer(conn, memory_id, "UpdateMemory", token, digest)
            if previous is not None:
                return dict(previous)
            document = self._load(conn, memory_id)
            now = now_ms()
            changed_strategies = self._change_strategies(
                document, body.get("memoryStrategies") or {}, now
            )
            for key in ("description", "eventExpiryDuration", "memoryExecutionRoleArn"):
                if body.get(key) is not None:
                    document[key] = body[key]
            for key in ("namespaceKeys", "streamDeliveryResources"):
                if body.get(key) is not None:
                    document[key] = copy.deepcopy(body[key])
            if body.get("addIndexedKeys"):
                document["indexedKeys"] = _add_indexed_keys(
                    document.get("indexedKeys") or [], body["addIndexedKeys"]
                )
            if changed_strategies:
                document["status"] = "UPDATING"
                document["_settleAtMs"] = now + int(self.settle_seconds * 1000)
            document["updatedAt"] = now / 1000
            self._store(conn, memory_id, document)
            answer = public(document)
            remember_answer(conn, memory_id, "UpdateMemory", token, digest, answer)
            return answer

    @staticmethod
    def _change_strategies(document: dict[str, Any], changes: dict[str, Any], now: int) -> bool:
        strategies: list[dict[str, Any]] = document.setdefault("strategies", [])
        by_id = {s["strategyId"]: s for s in strategies}
        field = "memoryStrategies"
        for index, change in enumerate(changes.get("deleteMemoryStrategies") or []):
            target = by_id.get(change["memoryStrategyId"])
            if target is None:
                raise ValidationError.single(
                    f"{field}.deleteMemoryStrategies.{index}.memoryStrategyId",
                    f"No strategy {change['memoryStrategyId']} in memory {document['id']}",
                )
            target["status"] = "DELETING"
            target["updatedAt"] = now / 1000
        for index, change in enumerate(changes.get("modifyMemoryStrategies") or []):
            target = by_id.get(change["memoryStrategyId"])
            if target is None or target.get("status") == "DELETING":
                raise ValidationError.single(
                    f"{field}.modifyMemoryStrategies.{index}.memoryStrategyId",
                    f"No strategy {change['memoryStrategyId']} in memory {document['id']}",
                )
            modify(target, change, now / 1000)
        for strategy in changes.get("addMemoryStrategies") or []:
            strategies.append(
                new_strategy(
                    strategy,
                    f"{_strategy_name(strategy)}-{random_suffix()}",
                    now / 1000,
                    "CREATING",
                )
            )
        live = [s for s in strategies if s.get("status") != "DELETING"]
        _check_count(live, f"{field}.addMemoryStrategies")
        check_names(live, f"{field}.addMemoryStrategies")
        return any(changes.get(k) for k in changes)

    def get(self, memory_id: str) -> dict[str, Any]:
        """Return a memory's ``Memory`` shape, or raise ResourceNotFoundException."""
        return public(self.document(memory_id))

    def document(self, memory_id: str) -> dict[str, Any]:
        """Return a memory's stored document (settled first), or raise ResourceNotFound."""
        with self._db.read() as conn:
            document = self._load(conn, memory_id)
        if _due(document):
            with self._db.write() as conn:
                document = self._load(conn, memory_id)
                if _due(document):
                    _settle(document)
                    self._store(conn, memory_id, document)
        return document

    def tags(self, arn: str) -> dict[str, str]:
        """The tags of the memory with this ARN."""
        return dict(self.document(_id_of_arn(arn)).get("_tags") or {})

    def tag(self, arn: str, add: dict[str, str], remove: list[str]) -> None:
        """Add and remove tags of the memory with this ARN."""
        memory_id = _id_of_arn(arn)
        with self._db.write() as conn:
            document = self._load(conn, memory_id)
            tags = dict(document.get("_tags") or {})
            tags.update(add)
            for key in remove:
                tags.pop(key, None)
            document["_tags"] = tags
            self._store(conn, memory_id, document)

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
            if _due(doc):
                _settle(doc)
            summaries.append({k: doc[k] for k in ("arn", "id", "status", "createdAt", "updatedAt")})
        return summaries, token

    def delete(self, memory_id: str) -> None:
        """Delete a memory with all of its events, sessions, records and extraction jobs."""
        with self._db.write() as conn:
            cursor = conn.execute("DELETE FROM memories WHERE memory_id = ?", (memory_id,))
            if cursor.rowcount == 0:
                raise ResourceNotFoundError(f"Memory {memory_id} not found")
            for table in ("events", "sessions", "records", "idempotency", "extraction_jobs"):
                conn.execute(f"DELETE FROM {table} WHERE memory_id = ?", (memory_id,))

    @staticmethod
    def _load(conn: sqlite3.Connection, memory_id: str) -> dict[str, Any]:
        row = conn.execute(
            "SELECT document FROM memories WHERE memory_id = ?", (memory_id,)
        ).fetchone()
        if row is None:
            raise ResourceNotFoundError(f"Memory {memory_id} not found")
        document: dict[str, Any] = json.loads(row["document"])
        return document

    @staticmethod
    def _store(conn: sqlite3.Connection, memory_id: str, document: dict[str, Any]) -> None:
        conn.execute(
            "UPDATE memories SET document = ? WHERE memory_id = ?",
            (json.dumps(document), memory_id),
        )


def _strategy_name(strategy: dict[str, Any]) -> str:
    body = next(v for v in strategy.values() if v is not None)
    return str(body["name"])


def _check_count(strategies: list[dict[str, Any]], field: str) -> None:
    if len(strategies) > MAX_STRATEGIES:
        raise ValidationError.single(
            field,
            f"A memory has at most {MAX_STRATEGIES} strategies, this would make {len(strategies)}",
        )


def _add_indexed_keys(current: list[dict[str, Any]], added: list[dict[str, Any]]) -> list[Any]:
    """Indexed keys only grow; re-adding a key with its type is a no-op, with another an error."""
    keys = {k["key"]: k["type"] for k in current}
    merged = list(current)
    for index, item in enumerate(added):
        known = keys.get(item["key"])
        if known is None:
            keys[item["key"]] = item["type"]
            merged.append({"key": item["key"], "type": item["type"]})
        elif known != item["type"]:
            raise ValidationError.single(
                f"addIndexedKeys.{index}.type",
                f"Key {item['key']!r} is already indexed as {known}",
            )
    return merged


def _due(document: dict[str, Any]) -> bool:
    settle_at = document.get("_settleAtMs")
    return settle_at is not None and now_ms() >= settle_at


def _settle(document: dict[str, Any]) -> None:
    """Finish pending strategy changes: CREATING -> ACTIVE, DELETING -> gone, memory ACTIVE."""
    document["strategies"] = [
        {**s, "status": "ACTIVE"}
        for s in document.get("strategies") or []
        if s.get("status") != "DELETING"
    ]
    document["status"] = "ACTIVE"
    document.pop("_settleAtMs", None)


def _id_of_arn(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


_COPIED_MEMBERS = (
    "description",
    "encryptionKeyArn",
    "memoryExecutionRoleArn",
    "indexedKeys",
    "namespaceKeys",
    "streamDeliveryResources",
)
"""CreateMemory's optional members a memory keeps as given."""


def _created_with(conn: Any, token: str, digest: str) -> dict[str, Any] | None:
    """The memory a CreateMemory ``clientToken`` created, if any (stored document).

    Raises:
        ValidationError: The token was used with a different request
            (``IdempotentParameterMismatchException``).
    """
    row = conn.execute("SELECT document FROM memories WHERE client_token = ?", (token,)).fetchone()
    if row is None:
        return None
    existing: dict[str, Any] = json.loads(row["document"])
    if existing.get("_fingerprint") != digest:
        raise ValidationError.single(
            "clientToken",
            "Token was already used with different parameters",
            reason="IdempotentParameterMismatchException",
        )
    return existing


def _new_document(body: dict[str, Any], arn: str, memory_id: str, created: int) -> dict[str, Any]:
    """A new memory's stored document, from a validated CreateMemory body.

    Raises:
        ValidationError: Too many strategies, or two with one name.
    """
    strategies = [
        new_strategy(s, f"{_strategy_name(s)}-{random_suffix()}", created / 1000, "ACTIVE")
        for s in body.get("memoryStrategies") or []
    ]
    _check_count(strategies, "memoryStrategies")
    check_names(strategies, "memoryStrategies")
    document: dict[str, Any] = {
        "arn": arn,
        "id": memory_id,
        "name": body["name"],
        "eventExpiryDuration": body["eventExpiryDuration"],
        "status": "ACTIVE",
        "createdAt": created / 1000,
        "updatedAt": created / 1000,
        "strategies": strategies,
    }
    for key in _COPIED_MEMBERS:
        if body.get(key) is not None:
            document[key] = copy.deepcopy(body[key])
    document["_tags"] = dict(body.get("tags") or {})
    return document
