"""Helpers every handler shares: the memory a request names, paging members, record scopes."""

from __future__ import annotations

from typing import Any

from ...wire import limits
from ...wire.limits import bare_memory_id
from ..backend import Backend
from ..operations import Request
from ..records import Scope
from ..validation import Problems


def data_memory(backend: Backend, request: Request) -> str:
    """The bare memory id of a data-plane request, which must name an existing memory."""
    memory_id = bare_memory_id(request.labels["memoryId"])
    backend.memories.require(memory_id)
    return memory_id


def read_max_results(body: dict[str, Any], *, default: int = limits.MAX_RESULTS_DEFAULT) -> int:
    """The ``maxResults`` member, or its default."""
    value: int = body.get("maxResults") or default
    return value


def read_next_token(problems: Problems, body: dict[str, Any]) -> str | None:
    """The ``nextToken`` member, if any (an empty one is a problem)."""
    return problems.token("nextToken", body.get("nextToken"))


def page(key: str, items: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    """A list response: ``{key: items}`` plus ``nextToken`` when more follow."""
    body: dict[str, Any] = {key: items}
    if token:
        body["nextToken"] = token
    return body


def record_scope(
    problems: Problems, body: dict[str, Any], filters: dict[str, Any], prefix: str
) -> Scope:
    """The one scope reader: which records a list or retrieve request looks at.

    A filter whose operator compares needs a right-hand value (reported to ``problems``, and
    left out of the scope).

    Args:
        problems: Where problems are collected.
        body: The request body holding ``namespace`` and ``namespacePath``.
        filters: The structure holding ``memoryStrategyId`` and ``metadataFilters``.
        prefix: Dotted path of ``filters`` in the request (``""`` for the body itself).
    """
    expressions = problems.missing_right_operands(
        f"{prefix}metadataFilters", filters.get("metadataFilters") or []
    )
    return Scope(
        body.get("namespace"),
        body.get("namespacePath"),
        filters.get("memoryStrategyId"),
        tuple(
            (e["left"]["metadataKey"], e["operator"], (e.get("right") or {}).get("metadataValue"))
            for e in expressions
        ),
    )
