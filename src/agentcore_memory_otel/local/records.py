"""Long-term memory records: batch create and delete, get, list, and relevance-ranked retrieval.

Records have one namespace each (the API allows 0-1). ``namespace`` matches exactly;
``namespacePath`` matches the namespace itself and everything below it in the ``/`` hierarchy.
Listing is newest first; retrieval is by relevance (see ``relevance``), newest first on ties.
No extraction strategies run locally: records exist only once written with
BatchCreateMemoryRecords.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from operator import ge, gt, le, lt
from typing import Any

from . import relevance
from .db import Database
from .errors import ResourceNotFoundError
from .idempotency import previous_answer, remember_answer
from .memories import now_ms
from .pagination import cut_page, decode_token, encode_token

DEFAULT_STRATEGY_ID = "default"

RecordFilter = tuple[str, str, "dict[str, Any] | None"]

_ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "BEFORE": lt,
    "LESS_THAN": lt,
    "AFTER": gt,
    "GREATER_THAN": gt,
    "LESS_THAN_OR_EQUALS": le,
    "GREATER_THAN_OR_EQUALS": ge,
}


@dataclass(frozen=True)
class NewRecord:
    """One validated ``MemoryRecordCreateInput``."""

    request_identifier: str
    namespace: str
    text: str
    timestamp_ms: int
    strategy_id: str | None = None
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class Scope:
    """Which records a list or retrieve call looks at."""

    namespace: str | None = None
    namespace_path: str | None = None
    strategy_id: str | None = None
    metadata_filters: tuple[RecordFilter, ...] = ()


class RecordStore:
    """Memory records of every memory, in the shared database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def batch_create(
        self, memory_id: str, records: list[NewRecord], client_token: str | None
    ) -> list[dict[str, Any]]:
        """Store records; return one ``MemoryRecordOutput`` per record, in request order.

        A repeated ``client_token`` returns the outputs of the first request and stores nothing.
        """
        fingerprint = hashlib.sha256(
            json.dumps([r.__dict__ for r in records], sort_keys=True).encode()
        ).hexdigest()
        with self._db.write() as conn:
            previous = previous_answer(
                conn, memory_id, "BatchCreateMemoryRecords", client_token, fingerprint
            )
            if previous is not None:
                return list(previous)
            outputs = []
            created = now_ms()
            for record in records:
                record_id = f"mem-{uuid.uuid4()}"
                conn.execute(
                    "INSERT INTO records (memory_id, record_id, namespace, strategy_id, text,"
                    " created_ms, timestamp_ms, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        memory_id,
                        record_id,
                        record.namespace,
                        record.strategy_id or DEFAULT_STRATEGY_ID,
                        record.text,
                        created,
                        record.timestamp_ms,
                        json.dumps(record.metadata) if record.metadata else None,
                    ),
                )
                outputs.append(
                    {
                        "memoryRecordId": record_id,
                        "status": "SUCCEEDED",
                        "requestIdentifier": record.request_identifier,
                    }
                )
            remember_answer(
                conn, memory_id, "BatchCreateMemoryRecords", client_token, fingerprint, outputs
            )
            return outputs

    def get(self, memory_id: str, record_id: str) -> dict[str, Any]:
        """Return one ``MemoryRecord``, or raise ResourceNotFoundException."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM records WHERE memory_id = ? AND record_id = ?",
                (memory_id, record_id),
            ).fetchone()
        if row is None:
            raise ResourceNotFoundError(f"Memory record {record_id} not found")
        return _record_shape(row)

    def delete(self, memory_id: str, record_id: str) -> None:
        """Delete one record, or raise ResourceNotFoundException."""
        with self._db.write() as conn:
            cursor = conn.execute(
                "DELETE FROM records WHERE memory_id = ? AND record_id = ?",
                (memory_id, record_id),
            )
        if cursor.rowcount == 0:
            raise ResourceNotFoundError(f"Memory record {record_id} not found")

    def batch_delete(self, memory_id: str, record_ids: list[str]) -> tuple[list[Any], list[Any]]:
        """Delete records one by one; return (successful, failed) ``MemoryRecordOutput`` lists."""
        successful: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for record_id in record_ids:
            try:
                self.delete(memory_id, record_id)
            except ResourceNotFoundError as exc:
                failed.append(
                    {
                        "memoryRecordId": record_id,
                        "status": "FAILED",
                        "errorCode": 404,
                        "errorMessage": exc.message,
                    }
                )
            else:
                successful.append({"memoryRecordId": record_id, "status": "SUCCEEDED"})
        return successful, failed

    def list_records(
        self, memory_id: str, scope: Scope, *, max_results: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Records in scope, newest first."""
        position = decode_token("ListMemoryRecords", next_token)
        rows = self._rows_in_scope(memory_id, scope)
        rows.sort(key=lambda r: (r["created_ms"], r["seq"]), reverse=True)
        if position is not None:
            rows = [r for r in rows if [r["created_ms"], r["seq"]] < position]
        page, token = cut_page(
            "ListMemoryRecords",
            rows[: max_results + 1],
            max_results,
            lambda r: [r["created_ms"], r["seq"]],
        )
        return [_record_shape(r) for r in page], token

    def list_namespaces(
        self, memory_id: str, *, max_results: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The namespaces holding records, in name order, each with its record count."""
        position = decode_token("ListNamespaces", next_token)
        sql = "SELECT namespace, COUNT(*) AS records FROM records WHERE memory_id = ?"
        params: list[Any] = [memory_id]
        if position is not None:
            sql += " AND namespace > ?"
            params += position
        sql += " GROUP BY namespace ORDER BY namespace LIMIT ?"
        with self._db.read() as conn:
            rows = conn.execute(sql, [*params, max_results + 1]).fetchall()
        page, token = cut_page("ListNamespaces", rows, max_results, lambda r: [r["namespace"]])
        return [{"namespace": r["namespace"], "records": r["records"]} for r in page], token

    def retrieve(
        self,
        memory_id: str,
        scope: Scope,
        query: str,
        *,
        top_k: int,
        max_results: int,
        next_token: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The ``top_k`` records most relevant to ``query``, best first, with a ``score``."""
        position = decode_token("RetrieveMemoryRecords", next_token)
        offset = int(position[0]) if position else 0
        rows = self._rows_in_scope(memory_id, scope)
        scores = relevance.score(query, [r["text"] for r in rows])
        ranked = sorted(
            zip(scores, rows, strict=True),
            key=lambda pair: (pair[0], pair[1]["created_ms"], pair[1]["seq"]),
            reverse=True,
        )[:top_k]
        page = ranked[offset : offset + max_results]
        summaries = [{**_record_shape(row), "score": round(s, 6)} for s, row in page]
        end = offset + len(page)
        token = encode_token("RetrieveMemoryRecords", [end]) if end < len(ranked) else None
        return summaries, token

    def _rows_in_scope(self, memory_id: str, scope: Scope) -> list[Any]:
        sql = "SELECT * FROM records WHERE memory_id = ?"
        params: list[Any] = [memory_id]
        if scope.namespace is not None:
            sql += " AND namespace = ?"
            params.append(scope.namespace)
        if scope.strategy_id is not None:
            sql += " AND strategy_id = ?"
            params.append(scope.strategy_id)
        with self._db.read() as conn:
            rows = conn.execute(sql, params).fetchall()
        if scope.namespace_path is not None:
            rows = [r for r in rows if _under(r["namespace"], scope.namespace_path)]
        for expr in scope.metadata_filters:
            rows = [r for r in rows if _record_matches(r, expr)]
        return rows


def _under(namespace: str, path: str) -> bool:
    """Whether ``namespace`` is ``path`` or lies below it in the ``/`` hierarchy."""
    base = path.rstrip("/")
    return not base or namespace.rstrip("/") == base or namespace.startswith(base + "/")


def _comparable(value: dict[str, Any] | None) -> Any:
    """The plain value of a ``MemoryRecordMetadataValue`` union, for comparisons."""
    if not value:
        return None
    kind, plain = next(iter(value.items()))
    if kind == "dateTimeValue" and isinstance(plain, str):
        return datetime.fromisoformat(plain.replace("Z", "+00:00")).timestamp()
    return plain


def _record_matches(row: Any, expr: RecordFilter) -> bool:
    key, operator, right = expr
    metadata = json.loads(row["metadata"]) if row["metadata"] else {}
    if operator == "EXISTS":
        return key in metadata
    if operator == "NOT_EXISTS":
        return key not in metadata
    if key not in metadata:
        return False
    left, wanted = _comparable(metadata[key]), _comparable(right)
    if operator == "CONTAINS":
        return isinstance(left, (list, str)) and wanted in left
    if operator == "EQUALS_TO":
        return bool(left == wanted)
    compare = _ORDERINGS.get(operator)
    if compare is None or left is None or wanted is None or isinstance(left, list):
        return False
    try:
        return bool(compare(left, wanted))
    except TypeError:  # e.g. a string compared with a number
        return False


def _record_shape(row: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "memoryRecordId": row["record_id"],
        "content": {"text": row["text"]},
        "memoryStrategyId": row["strategy_id"],
        "namespaces": [row["namespace"]],
        "createdAt": row["created_ms"] / 1000,
    }
    if row["timestamp_ms"] is not None:
        record["timestamp"] = row["timestamp_ms"] / 1000
    if row["metadata"]:
        record["metadata"] = json.loads(row["metadata"])
    return record
