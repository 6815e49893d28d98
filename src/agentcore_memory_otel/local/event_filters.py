"""ListEvents' filters: which branches a branch filter admits, and metadata expressions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MetadataFilter = tuple[str, str, "str | None"]
"""``(key, operator, value)``; only EQUALS_TO carries a value."""


@dataclass(frozen=True)
class BranchFilter:
    """ListEvents' ``filter.branch``."""

    name: str
    include_parent_branches: bool = False


def branch_scope(
    conn: Any, memory_id: str, actor_id: str, session_id: str, branch: BranchFilter | None
) -> dict[str, tuple[int, int] | None] | None:
    """Branches a branch filter admits, each with the last (ts, seq) it admits, if bounded.

    With ``includeParentBranches`` a branch also sees its parent's events up to and
    including its root event, and so on up to ``main``.
    """
    if branch is None:
        return None
    scope: dict[str, tuple[int, int] | None] = {branch.name: None}
    name = branch.name
    while branch.include_parent_branches:
        root = conn.execute(
            "SELECT root_event_id FROM events WHERE memory_id = ? AND actor_id = ?"
            " AND session_id = ? AND branch_name = ? AND root_event_id IS NOT NULL"
            " ORDER BY seq LIMIT 1",
            (memory_id, actor_id, session_id, name),
        ).fetchone()
        if root is None:
            break
        parent = conn.execute(
            "SELECT branch_name, ts_ms, seq FROM events WHERE memory_id = ? AND actor_id = ?"
            " AND session_id = ? AND event_id = ?",
            (memory_id, actor_id, session_id, root["root_event_id"]),
        ).fetchone()
        if parent is None or parent["branch_name"] in scope:
            break
        name = parent["branch_name"]
        scope[name] = (parent["ts_ms"], parent["seq"])
    return scope


def in_scope(row: Any, scope: dict[str, tuple[int, int] | None]) -> bool:
    """Whether an events row is on a branch ``branch_scope`` admits, within its bound."""
    if row["branch_name"] not in scope:
        return False
    bound = scope[row["branch_name"]]
    return bound is None or (row["ts_ms"], row["seq"]) <= bound


def matches(metadata: dict[str, dict[str, str]], expr: MetadataFilter) -> bool:
    """Whether stored metadata satisfies one ``(key, operator, value)`` expression."""
    key, operator, value = expr
    if operator == "EXISTS":
        return key in metadata
    if operator == "NOT_EXISTS":
        return key not in metadata
    return key in metadata and metadata[key].get("stringValue") == value
