"""Long-term memory handlers: records retrieved, listed, read, deleted and written in batches."""

from __future__ import annotations

from typing import Any

from ...wire import limits
from ..backend import Backend
from ..errors import ValidationError
from ..model import operation as modelled
from ..operations import Body, Request, operation
from ..records import NewRecord, RecordUpdate, Scope, failed_output
from ..shapes import check_value
from ..validation import Problems
from .common import data_memory, page, read_max_results, read_next_token, record_scope


def _check_indexed(backend: Backend, memory_id: str, scope: Scope, field: str) -> None:
    """Filters may only use the memory's indexed keys, once it declares any.

    A local choice: a memory without ``indexedKeys`` filters on every key, so records work
    without set-up.
    """
    if not scope.metadata_filters:
        return  # nothing to check: spare the memory document's read
    indexed = {k["key"] for k in backend.memories.document(memory_id).get("indexedKeys") or []}
    if not indexed:
        return
    for index, (key, _, _) in enumerate(scope.metadata_filters):
        if key not in indexed:
            raise ValidationError.single(
                f"{field}.{index}.left.metadataKey",
                f"Metadata key {key!r} is not an indexed key of memory {memory_id}",
            )


@operation("RetrieveMemoryRecords")
def retrieve_memory_records(backend: Backend, request: Request) -> Body:
    """RetrieveMemoryRecords -> 200 ``{memoryRecordSummaries, nextToken?}``, best first."""
    memory_id = data_memory(backend, request)
    body = request.body
    criteria = body["searchCriteria"]
    problems = Problems()
    # The model makes both optional; its prose asks for exactly one.
    if (body.get("namespace") is None) == (body.get("namespacePath") is None):
        problems.add("namespace", "Exactly one of namespace or namespacePath is required")
    scope = record_scope(problems, body, criteria, "searchCriteria.")
    _check_indexed(backend, memory_id, scope, "searchCriteria.metadataFilters")
    token = read_next_token(problems, body)
    problems.raise_if_any()
    records, more = backend.records.retrieve(
        memory_id,
        scope,
        criteria["searchQuery"],
        top_k=criteria.get("topK") or limits.TOP_K_DEFAULT,
        max_results=read_max_results(body),
        next_token=token,
    )
    return page("memoryRecordSummaries", records, more)


@operation("ListMemoryRecords")
def list_memory_records(backend: Backend, request: Request) -> Body:
    """ListMemoryRecords -> 200 ``{memoryRecordSummaries, nextToken?}``, newest first."""
    memory_id = data_memory(backend, request)
    body = request.body
    problems = Problems()
    scope = record_scope(problems, body, body, "")
    _check_indexed(backend, memory_id, scope, "metadataFilters")
    token = read_next_token(problems, body)
    problems.raise_if_any()
    records, more = backend.records.list_records(
        memory_id, scope, max_results=read_max_results(body), next_token=token
    )
    return page("memoryRecordSummaries", records, more)


@operation("GetMemoryRecord")
def get_memory_record(backend: Backend, request: Request) -> Body:
    """GetMemoryRecord -> 200 ``{memoryRecord}``."""
    memory_id = data_memory(backend, request)
    return {"memoryRecord": backend.records.get(memory_id, request.labels["memoryRecordId"])}


@operation("DeleteMemoryRecord")
def delete_memory_record(backend: Backend, request: Request) -> Body:
    """DeleteMemoryRecord -> 200 ``{memoryRecordId}``."""
    memory_id = data_memory(backend, request)
    record_id = request.labels["memoryRecordId"]
    backend.records.delete(memory_id, record_id)
    return {"memoryRecordId": record_id}


@operation("BatchCreateMemoryRecords", items_checked_by_handler=("records",))
def batch_create_memory_records(backend: Backend, request: Request) -> Body:
    """BatchCreateMemoryRecords -> 201 ``{successfulRecords, failedRecords}``.

    A malformed record fails alone (``failedRecords``, errorCode 400); the rest are stored.
    """
    memory_id = data_memory(backend, request)
    body = request.body
    problems = Problems()
    token = problems.token("clientToken", body.get("clientToken"))
    problems.raise_if_any()
    valid: list[NewRecord] = []
    failed: list[dict[str, Any]] = []
    for index, raw in enumerate(body["records"]):
        record, problem = _new_record(f"records.{index}", raw)
        if record is not None:
            valid.append(record)
        else:
            identifier = raw.get("requestIdentifier") if isinstance(raw, dict) else None
            failed.append({**failed_output(None, 400, problem), "requestIdentifier": identifier})
    successful = backend.records.batch_create(memory_id, valid, token)
    return {"successfulRecords": successful, "failedRecords": failed}


def _item_shape(operation_name: str) -> Any:
    return modelled(operation_name).model.input_shape.members["records"].member


def _new_record(field: str, raw: Any) -> tuple[NewRecord | None, str]:
    problems = Problems()
    check_value(problems, field, _item_shape("BatchCreateMemoryRecords"), raw)
    if problems.items:
        return None, ValidationError(problems.items).message
    # The model allows zero or one namespace; a record is stored under exactly one.
    if len(raw["namespaces"]) != 1:
        problems.add(f"{field}.namespaces", "Member must hold exactly one namespace")
    timestamp_ms = problems.timestamp_ms(f"{field}.timestamp", raw["timestamp"])
    if problems.items:
        return None, ValidationError(problems.items).message
    assert timestamp_ms is not None
    record = NewRecord(
        raw["requestIdentifier"],
        raw["namespaces"][0],
        raw["content"]["text"],
        timestamp_ms,
        raw.get("memoryStrategyId"),
        raw.get("metadata"),
    )
    return record, ""


@operation("BatchDeleteMemoryRecords")
def batch_delete_memory_records(backend: Backend, request: Request) -> Body:
    """BatchDeleteMemoryRecords -> 200 ``{successfulRecords, failedRecords}``."""
    memory_id = data_memory(backend, request)
    ids = [item["memoryRecordId"] for item in request.body["records"]]
    successful, failed = backend.records.batch_delete(memory_id, ids)
    return {"successfulRecords": successful, "failedRecords": failed}


@operation("BatchUpdateMemoryRecords", items_checked_by_handler=("records",))
def batch_update_memory_records(backend: Backend, request: Request) -> Body:
    """BatchUpdateMemoryRecords -> 200 ``{successfulRecords, failedRecords}``.

    Members given replace the stored ones; ``sourceNamespaces``, when given, must name the
    record's current namespace (a guard against updating a record that moved). A malformed or
    unknown record fails alone.
    """
    memory_id = data_memory(backend, request)
    updates: list[RecordUpdate] = []
    failed: list[dict[str, Any]] = []
    shape = _item_shape("BatchUpdateMemoryRecords")
    for index, raw in enumerate(request.body["records"]):
        item = Problems()
        check_value(item, f"records.{index}", shape, raw)
        record_id = raw.get("memoryRecordId") if isinstance(raw, dict) else None
        timestamp_ms = (
            None
            if item.items
            else item.timestamp_ms(f"records.{index}.timestamp", raw["timestamp"])
        )
        if item.items or timestamp_ms is None:
            failed.append(failed_output(record_id, 400, ValidationError(item.items).message))
            continue
        content = raw.get("content") or {}
        updates.append(
            RecordUpdate(
                record_id=raw["memoryRecordId"],
                timestamp_ms=timestamp_ms,
                text=content.get("text"),
                namespace=(raw.get("namespaces") or [None])[0],
                source_namespace=(raw.get("sourceNamespaces") or [None])[0],
                strategy_id=raw.get("memoryStrategyId"),
                metadata=raw.get("metadata"),
            )
        )
    successful, not_updated = backend.records.batch_update(memory_id, updates)
    return {"successfulRecords": successful, "failedRecords": failed + not_updated}
