"""The console's query parameters: reading and checking them, and the error for bad ones."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.datastructures import QueryParams

from ...wire import limits
from ...wire.trace_stamp import normalize_trace_id
from ..backend import Backend

DEFAULT_PAGE_SIZE = 20
_DIGITS = re.compile(r"[0-9]{1,4}")

Answer = dict[str, Any]
Endpoint = Callable[[Backend, QueryParams], Answer]


class BadRequest(Exception):
    """A console request the page should not have sent: a missing or malformed parameter."""


def required(query: QueryParams, name: str) -> str:
    """A parameter that must be given and not empty."""
    value = query.get(name)
    if not value:
        raise BadRequest(f"the query parameter {name} is required")
    return value


def page_size(query: QueryParams) -> int:
    """``maxResults``: 1 to the API's maximum, ``DEFAULT_PAGE_SIZE`` when not given."""
    text = query.get("maxResults")
    if text is None:
        return DEFAULT_PAGE_SIZE
    # ASCII digits only: str.isdigit() also accepts '²', which int() cannot read.
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= limits.MAX_RESULTS_MAX:
        raise BadRequest(f"maxResults must be a whole number from 1 to {limits.MAX_RESULTS_MAX}")
    return int(text)


def memory_id_of(backend: Backend, query: QueryParams) -> str:
    """The ``memoryId`` parameter, once the memory is known to exist."""
    memory_id = required(query, "memoryId")
    backend.memories.require(memory_id)
    return memory_id


def trace_id_of(query: QueryParams) -> str:
    """The ``traceId`` parameter in any accepted form, as 32 lowercase hex digits."""
    try:
        return normalize_trace_id(required(query, "traceId"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
