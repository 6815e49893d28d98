"""Helpers every handler shares: the memory a request names, paging members, record scopes."""

from __future__ import annotations

from typing import Any

from ...aws import limits
from ..backend import Backend
from ..operations import Request
from ..records import RecordFilter, Scope
from ..validation import Problems, check_memory_id


def data_memory(backend: Backend, request: Request) -> str:
    """The bare memory id of a data-plane request, which must name an existing memory."""
    memory_id = check_memory_id(request.labels["memoryId"])
    backend.memories.require(memory_id)
    return memory_id


def read_max_results(
    problems: Problems, body: dict[str, Any], *, default: int = limits.MAX_RESULTS_DEFAULT
) -> int:
    """The ``maxResults`` member, or its default."""
    value = problems.integer(
        "maxResults",
        body.get("maxResults"),
        minimum=limits.MAX_RESULTS_MIN,
        maximum=limits.MAX_RESULTS_MAX,
        default=default,
    )
    return value or default


def read_next_token(problems: Problems, body: dict[str, Any]) -> str | None:
    """The ``nextToken`` member, if any."""
    return problems.string("nextToken", body.get("nextToken"), required=False)


def page(key: str, items: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    """A list response: ``{key: items}`` plus ``nextToken`` when more follow."""
    body: dict[str, Any] = {key: items}
    if token:
        body["nextToken"] = token
    return body


def actor_and_session(
    problems: Problems, actor: Any, session: Any, *, session_required: bool
) -> tuple[str | None, str | None]:
    """Check an actorId and a sessionId."""
    actor_id = problems.string(
        "actorId", actor, pattern=limits.ACTOR_ID_PATTERN, max_length=limits.ACTOR_ID_MAX_LENGTH
    )
    session_id = problems.string(
        "sessionId",
        session,
        required=session_required,
        pattern=limits.SESSION_ID_PATTERN,
        max_length=limits.SESSION_ID_MAX_LENGTH,
    )
    return actor_id, session_id


def namespace(problems: Problems, name: str, value: Any, *, required: bool) -> str | None:
    """Check one namespace member."""
    return problems.string(
        name,
        value,
        required=required,
        pattern=limits.NAMESPACE_PATTERN,
        max_length=limits.NAMESPACE_MAX_LENGTH,
    )


def strategy_id(problems: Problems, name: str, value: Any) -> str | None:
    """Check an optional memoryStrategyId member."""
    return problems.string(
        name, value, required=False, pattern=limits.MEMORY_STRATEGY_ID_PATTERN, max_length=100
    )


def record_scope(
    problems: Problems,
    body: dict[str, Any],
    filters: dict[str, Any],
    prefix: str,
    *,
    one_selector: bool,
) -> Scope:
    """The one namespace/scope parser: which records a list or retrieve request looks at.

    Args:
        problems: Where problems are collected.
        body: The request body holding ``namespace`` and ``namespacePath``.
        filters: The structure holding ``memoryStrategyId`` and ``metadataFilters``.
        prefix: Dotted path of ``filters`` in the request (``""`` for the body itself).
        one_selector: Whether exactly one of namespace and namespacePath is required.
    """
    exact = namespace(problems, "namespace", body.get("namespace"), required=False)
    path = namespace(problems, "namespacePath", body.get("namespacePath"), required=False)
    if one_selector and (body.get("namespace") is None) == (body.get("namespacePath") is None):
        problems.add("namespace", "Exactly one of namespace or namespacePath is required")
    strategy = strategy_id(problems, f"{prefix}memoryStrategyId", filters.get("memoryStrategyId"))
    expressions = _record_filters(
        problems, f"{prefix}metadataFilters", filters.get("metadataFilters")
    )
    return Scope(exact, path, strategy, expressions)


def _record_filters(problems: Problems, field: str, value: Any) -> tuple[RecordFilter, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value or len(value) > limits.METADATA_FILTERS_MAX:
        problems.add(
            field, f"Member must be a list of length between 1 and {limits.METADATA_FILTERS_MAX}"
        )
        return ()
    out = []
    for index, expr in enumerate(value):
        item = f"{field}.{index}"
        left = problems.union(f"{item}.left", (expr or {}).get("left"), ("metadataKey",))
        operator = problems.string(f"{item}.operator", (expr or {}).get("operator"))
        right = (expr or {}).get("right")
        right_value = right.get("metadataValue") if isinstance(right, dict) else None
        if operator not in ("EXISTS", "NOT_EXISTS") and right_value is None:
            problems.add(f"{item}.right", "Member is required for this operator")
            continue
        if left is not None and operator is not None:
            out.append((str(left[1]), operator, right_value))
    return tuple(out)


def check_record_id(problems: Problems, value: Any, field: str = "memoryRecordId") -> str | None:
    """Check a memoryRecordId."""
    return problems.string(
        field,
        value,
        pattern=limits.MEMORY_RECORD_ID_PATTERN,
        min_length=limits.MEMORY_RECORD_ID_MIN_LENGTH,
        max_length=limits.MEMORY_RECORD_ID_MAX_LENGTH,
    )
