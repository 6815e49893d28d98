"""Long-term memory records: ``add`` requests, and search results as Strands entries."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from strands.memory import MemoryEntry

from ..wire import limits
from ..wire.lineage import lineage_metadata
from ..wire.metadata import check_key
from ..wire.trace_stamp import TraceStamp
from .config import RESERVED_METADATA_PREFIX


def record_metadata(metadata: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Strands entry metadata as a record's typed metadata map.

    Strings become ``stringValue``, numbers ``numberValue``, lists of strings
    ``stringListValue`` and datetimes ``dateTimeValue``.

    Raises:
        ValueError: A key or value cannot be stored; the message names the key and the limit.
    """
    if not metadata:
        return {}
    if len(metadata) > limits.RECORD_METADATA_MAX_KEYS:
        raise ValueError(
            f"add: metadata has {len(metadata)} keys; a record holds at most "
            f"{limits.RECORD_METADATA_MAX_KEYS}"
        )
    out: dict[str, dict[str, Any]] = {}
    for key, value in metadata.items():
        check_key(key, source="add")
        out[key] = _typed_value(key, value)
    return out


def _typed_value(key: str, value: Any) -> dict[str, Any]:
    field = f"add: metadata value for {key!r}"
    if isinstance(value, str):
        return {"stringValue": limits.RECORD_METADATA_STRING.check(value, field)}
    if isinstance(value, bool):
        return {"stringValue": "true" if value else "false"}
    if isinstance(value, (int, float)) and math.isfinite(value):
        return {"numberValue": value}
    if isinstance(value, datetime):
        return {"dateTimeValue": value}
    if (
        isinstance(value, (list, tuple))
        and 1 <= len(value) <= limits.RECORD_STRING_LIST_MAX_ITEMS
        and all(isinstance(item, str) for item in value)
    ):
        return {
            "stringListValue": [
                limits.RECORD_METADATA_LIST_ITEM.check(item, f"{field}, item {index}")
                for index, item in enumerate(value)
            ]
        }
    raise ValueError(
        f"{field} must be a string (1-{limits.METADATA_VALUE_MAX_LENGTH} characters), a boolean, "
        f"a finite number, a datetime, or a list of 1-{limits.RECORD_STRING_LIST_MAX_ITEMS} "
        f"strings of 1-{limits.RECORD_STRING_LIST_ITEM_MAX_LENGTH} characters; got {value!r}"
    )


def batch_create_request(
    memory_id: str,
    namespace: str,
    content: str,
    metadata: Mapping[str, Any] | None,
    stamp: TraceStamp | None = None,
) -> dict[str, Any]:
    """A BatchCreateMemoryRecords request storing ``content`` as one record in ``namespace``.

    With ``stamp`` (the span active at ``add``) the record's lineage names that trace and span
    (``lineage``), in the keys the caller's ``metadata`` leaves free (the caller's keys win).

    Raises:
        ValueError: ``content`` or ``metadata`` breaks an API limit.
    """
    if not isinstance(content, str) or not content.strip():
        raise ValueError("add: content must be a non-empty string")
    if len(content) > limits.RECORD_TEXT_MAX_CHARS:
        raise ValueError(
            f"add: content has {len(content)} characters; a record holds at most "
            f"{limits.RECORD_TEXT_MAX_CHARS}"
        )
    record: dict[str, Any] = {
        "requestIdentifier": uuid.uuid4().hex,
        "namespaces": [namespace],
        "content": {"text": content},
        "timestamp": time.time(),
    }
    typed = record_metadata(metadata)
    if stamp is not None:
        lineage = lineage_metadata([], trace_id=stamp.trace_id, span_id=stamp.span_id)
        room = limits.RECORD_METADATA_MAX_KEYS - len(typed)
        free = [key for key in lineage if key not in typed][: max(room, 0)]
        typed.update({key: lineage[key] for key in free})
    if typed:
        record["metadata"] = typed
    return {"memoryId": memory_id, "records": [record], "clientToken": str(uuid.uuid4())}


def to_entry(record: Mapping[str, Any]) -> MemoryEntry:
    """A RetrieveMemoryRecords summary as a Strands entry.

    The record's id, score, namespaces and creation time go into ``metadata`` under
    ``_id``, ``_score``, ``_namespaces`` and ``_createdAt`` (ISO 8601, UTC, milliseconds).
    """
    content = record.get("content")
    text = content.get("text") if isinstance(content, dict) else None
    prefix = RESERVED_METADATA_PREFIX
    metadata: dict[str, Any] = {}
    for field, name in (("memoryRecordId", "id"), ("score", "score"), ("namespaces", "namespaces")):
        if field in record:
            metadata[f"{prefix}{name}"] = record[field]
    if "createdAt" in record:
        metadata[f"{prefix}createdAt"] = _iso(record["createdAt"])
    return MemoryEntry(content=text if isinstance(text, str) else "", metadata=metadata)


def _iso(value: object) -> str:
    if not isinstance(value, datetime):
        return str(value)
    moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
