"""Metadata filters of ListMemoryRecords and RetrieveMemoryRecords, matched on stored rows."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from operator import ge, gt, le, lt
from typing import Any

RecordFilter = tuple[str, str, "dict[str, Any] | None"]
"""``(key, operator, right value)``; EXISTS and NOT_EXISTS carry no value."""

_ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "BEFORE": lt,
    "LESS_THAN": lt,
    "AFTER": gt,
    "GREATER_THAN": gt,
    "LESS_THAN_OR_EQUALS": le,
    "GREATER_THAN_OR_EQUALS": ge,
}


def _comparable(value: dict[str, Any] | None) -> Any:
    """The plain value of a ``MemoryRecordMetadataValue`` union, for comparisons."""
    if not value:
        return None
    kind, plain = next(iter(value.items()))
    if kind == "dateTimeValue" and isinstance(plain, str):
        return datetime.fromisoformat(plain.replace("Z", "+00:00")).timestamp()
    return plain


def record_matches(row: Any, expr: RecordFilter) -> bool:
    """Whether a records row's metadata satisfies one ``(key, operator, value)`` expression.

    A comparison of values of different kinds (a string and a number) is false, not an error.
    """
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
