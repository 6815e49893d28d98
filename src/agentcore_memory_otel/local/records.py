"""Long-term memory records: batch create and delete, get, list, and relevance-ranked retrieval.

Records have one namespace each (the API allows 0-1). ``namespace`` matches exactly;
``namespacePath`` matches the namespace itself and everything below it in the ``/`` hierarchy.
Listing is newest first; retrieval is by relevance (see ``relevance``), newest first on ties.
Records come from BatchCreateMemoryRecords and from extraction (``extraction``).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..wire import limits
from . import relevance
from .db import Database
from .errors import ResourceNotFoundError
from .idempotency import previous_answer, remember_answer
from .measure import digest
from .memories import now_ms
from .pagination import Keyset, decode_offset, encode_token, keyset_page
from .record_filters import RecordFilter, record_matches

DEFAULT_STRATEGY_ID = "default"

# Records read per statement by primary key (well under SQLite's limit on bound parameters).
_SEQ_BATCH = 500

_RECORDS_ORDER = Keyset("ListMemoryRecords", ("created_ms", "seq"))
_NAMESPACES_ORDER = Keyset("ListNamespaces", ("namespace",), descending=False)


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
class RecordUpdate:
    """One validated ``MemoryRecordUpdateInput``: ``None`` members are left as they are."""

    record_id: str
    timestamp_ms: int
    text: str | None = None
    namespace: str | None = None
    source_namespace: str | None = None
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

        A repeated ``client_token`` returns the outputs of the first request and stores nothing,
        also when only the records' timestamps differ (as for CreateEvent).
        """
        fingerprint = digest([{**r.__dict__, "timestamp_ms": None} for r in records])
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

    def put_extracted(
        self,
        memory_id: str,
        namespace: str,
        strategy_id: str,
        texts: list[str],
        timestamp_ms: int,
        record_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        """Store extracted texts in a namespace, tagged with their strategy.

        ``metadata`` (the records' lineage) is stored with each new record; a text already
        stored keeps the lineage of its first extraction.

        With ``record_id`` (a per-session summary, one text) the text replaces that record;
        without it each text becomes a new record unless the namespace already holds it for the
        strategy.
        """
        created = now_ms()
        with self._db.write() as conn:
            if record_id is not None:
                conn.execute(
                    "DELETE FROM records WHERE memory_id = ? AND record_id = ?",
                    (memory_id, record_id),
                )
            for text in texts:
                if (
                    record_id is None
                    and conn.execute(
                        "SELECT 1 FROM records WHERE memory_id = ? AND namespace = ?"
                        " AND strategy_id = ? AND text = ?",
                        (memory_id, namespace, strategy_id, text),
                    ).fetchone()
                ):
                    continue
                conn.execute(
                    "INSERT INTO records (memory_id, record_id, namespace, strategy_id, text,"
                    " created_ms, timestamp_ms, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        memory_id,
                        record_id or f"mem-{uuid.uuid4()}",
                        namespace,
                        strategy_id,
                        text[: limits.RECORD_TEXT_MAX_CHARS],
                        created,
                        timestamp_ms,
                        json.dumps(metadata) if metadata else None,
                    ),
                )

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
                failed.append(failed_output(record_id, 404, exc.message))
            else:
                successful.append({"memoryRecordId": record_id, "status": "SUCCEEDED"})
        return successful, failed

    def batch_update(
        self, memory_id: str, updates: list[RecordUpdate]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Update records one by one; return (successful, failed) ``MemoryRecordOutput`` lists."""
        successful: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for update in updates:
            with self._db.write() as conn:
                row = conn.execute(
                    "SELECT namespace FROM records WHERE memory_id = ? AND record_id = ?",
                    (memory_id, update.record_id),
                ).fetchone()
                problem = None
                if row is None:
                    problem = (404, f"Memory record {update.record_id} not found")
                elif update.source_namespace not in (None, row["namespace"]):
                    problem = (
                        400,
                        f"Memory record {update.record_id} is not in the source namespace",
                    )
                if problem is not None:
                    failed.append(failed_output(update.record_id, *problem))
                    continue
                conn.execute(
                    "UPDATE records SET timestamp_ms = ?, text = coalesce(?, text),"
                    " namespace = coalesce(?, namespace), strategy_id = coalesce(?, strategy_id),"
                    " metadata = coalesce(?, metadata) WHERE memory_id = ? AND record_id = ?",
                    (
                        update.timestamp_ms,
                        update.text,
                        update.namespace,
                        update.strategy_id,
                        json.dumps(update.metadata) if update.metadata else None,
                        memory_id,
                        update.record_id,
                    ),
                )
            successful.append({"memoryRecordId": update.record_id, "status": "SUCCEEDED"})
        return successful, failed

    def list_records(
        self, memory_id: str, scope: Scope, *, max_results: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Records in scope, newest first."""
        where, params = _scope_sql(memory_id, scope)
        with self._db.read() as conn:
            page, token = keyset_page(
                conn,
                _RECORDS_ORDER,
                "SELECT * FROM records",
                where,
                params,
                max_results=max_results,
                next_token=next_token,
                keep=_keep(scope),
            )
        return [_record_shape(r) for r in page], token

    def list_namespaces(
        self, memory_id: str, *, max_results: int, next_token: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The namespaces holding records, in name order, each with its record count."""
        grouped = (
            "SELECT * FROM (SELECT namespace, COUNT(*) AS records FROM records"
            " WHERE memory_id = ? GROUP BY namespace)"
        )
        with self._db.read() as conn:
            page, token = keyset_page(
                conn,
                _NAMESPACES_ORDER,
                grouped,
                [],
                [memory_id],
                max_results=max_results,
                next_token=next_token,
            )
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
        offset = decode_offset("RetrieveMemoryRecords", next_token)
        where, params = _scope_sql(memory_id, scope)
        keep = _keep(scope)
        with self._db.read() as conn:
            scored = relevance.scores(conn, query, where, params)
            matches = [
                (scored[row["seq"]], row)
                for row in _rows_by_seq(conn, list(scored))
                if keep is None or keep(row)
            ]
            ranked = sorted(
                matches,
                key=lambda pair: (pair[0], pair[1]["created_ms"], pair[1]["seq"]),
                reverse=True,
            )[:top_k]
            if len(ranked) < top_k:
                # Records sharing no word with the query score 0 and follow, newest first (as
                # the service always fills topK). Read in that order and only as far as needed.
                for row in conn.execute(newest_first_sql(where), params):
                    if row["seq"] not in scored and (keep is None or keep(row)):
                        ranked.append((0.0, row))
                        if len(ranked) == top_k:
                            break
        page = ranked[offset : offset + max_results]
        summaries = [{**_record_shape(row), "score": round(s, 6)} for s, row in page]
        end = offset + len(page)
        token = encode_token("RetrieveMemoryRecords", [end]) if end < len(ranked) else None
        return summaries, token


def newest_first_sql(where: list[str]) -> str:
    """The query of a scope's records, newest first, read along an index (no sort)."""
    return (
        "SELECT * FROM records WHERE " + " AND ".join(where) + " ORDER BY created_ms DESC, seq DESC"
    )


def _rows_by_seq(conn: sqlite3.Connection, seqs: list[int]) -> Iterator[sqlite3.Row]:
    """The records with these ``seq`` numbers, read by primary key in batches."""
    for start in range(0, len(seqs), _SEQ_BATCH):
        batch = seqs[start : start + _SEQ_BATCH]
        marks = ",".join("?" * len(batch))
        yield from conn.execute(f"SELECT * FROM records WHERE seq IN ({marks})", batch)


def _scope_sql(memory_id: str, scope: Scope) -> tuple[list[str], list[Any]]:
    """SQL conditions selecting the records of a scope, but for its metadata filters."""
    where: list[str] = ["memory_id = ?"]
    params: list[Any] = [memory_id]
    if scope.namespace is not None:
        where.append("namespace = ?")
        params.append(scope.namespace)
    if scope.strategy_id is not None:
        where.append("strategy_id = ?")
        params.append(scope.strategy_id)
    base = (scope.namespace_path or "").rstrip("/")
    if base:
        # The path itself, or anything below it in the "/" hierarchy.
        where.append("(rtrim(namespace, '/') = ? OR substr(namespace, 1, ?) = ?)")
        params += [base, len(base) + 1, base + "/"]
    return where, params


def _keep(scope: Scope) -> Callable[[Any], bool] | None:
    """The metadata filters of a scope as a row predicate (all must hold)."""
    if not scope.metadata_filters:
        return None
    return lambda row: all(record_matches(row, expr) for expr in scope.metadata_filters)


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


def failed_output(record_id: Any, code: int, message: str) -> dict[str, Any]:
    """One record's entry in a batch answer's ``failedRecords`` (an unknown id shows as "")."""
    return {
        "memoryRecordId": record_id if isinstance(record_id, str) else "",
        "status": "FAILED",
        "errorCode": code,
        "errorMessage": message,
    }
