"""The operations table: one handler per modelled operation, registered with ``@operation``.

A handler takes the backend and one decoded request and returns the response body; its HTTP
method, URI and success status come from botocore's model (``model``), so the routes, the
handlers and the model cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import model
from .backend import Backend


@dataclass
class Request:
    """One decoded request."""

    labels: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)
    # Every value of each query parameter, for list members such as UntagResource's tagKeys.
    query_lists: dict[str, list[str]] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    # Set by the fault layer: metadata-filtered ListEvents do not see events stored after it.
    hide_created_after_ms: int | None = None


Body = dict[str, Any]
Handler = Callable[[Backend, Request], Body]


@dataclass(frozen=True)
class Registered:
    """A handler with what the generic model validation leaves to it."""

    handler: Handler
    items_checked_by_handler: frozenset[str]


REGISTRY: dict[str, Registered] = {}


def operation(
    name: str, *, items_checked_by_handler: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of the modelled operation ``name``.

    Args:
        name: The operation's name in botocore's model.
        items_checked_by_handler: List members whose items the handler validates one at a
            time (so that a bad batch item fails alone instead of failing the request).

    Raises:
        KeyError: botocore models no memory operation of that name.
        ValueError: The operation already has a handler.
    """
    model.operation(name)  # fail at import time on a name botocore does not know

    def register(handler: Handler) -> Handler:
        if name in REGISTRY:
            raise ValueError(f"{name} has two handlers")
        REGISTRY[name] = Registered(handler, frozenset(items_checked_by_handler))
        return handler

    return register
