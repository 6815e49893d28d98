"""The operations table: one handler per modelled operation, registered with ``@operation``.

A handler takes the backend and one decoded request and returns the response body; its HTTP
method, URI and success status come from botocore's model (``model``), so the routes, the
handlers and the model cannot drift apart. Registering wraps the handler so that the request
is first checked against the operation's input shape (``shapes.check_request``): a handler
sees only requests the model accepts, whether it is called over HTTP or directly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import model
from .backend import Backend
from .shapes import check_request


@dataclass
class Request:
    """One decoded request."""

    labels: dict[str, str]
    # Every value of each query parameter (list members such as UntagResource's tagKeys repeat).
    query_lists: dict[str, list[str]] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


Body = dict[str, Any]
Handler = Callable[[Backend, Request], Body]


REGISTRY: dict[str, Handler] = {}


def operation(
    name: str, *, items_checked_by_handler: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    """Register the decorated function, behind the model check, as the handler of ``name``.

    The decorator returns (and registers) the checked handler, so that no caller can skip the
    check.

    Args:
        name: The operation's name in botocore's model.
        items_checked_by_handler: List members whose items the handler validates one at a
            time (so that a bad batch item fails alone instead of failing the request).

    Raises:
        KeyError: botocore models no memory operation of that name.
        ValueError: The operation already has a handler.
    """
    modelled = model.operation(name)  # fail at import time on a name botocore does not know
    skip = frozenset(items_checked_by_handler)

    def register(handler: Handler) -> Handler:
        if name in REGISTRY:
            raise ValueError(f"{name} has two handlers")

        @functools.wraps(handler)
        def checked(backend: Backend, request: Request) -> Body:
            check_request(modelled, request.labels, request.query_lists, request.body, skip=skip)
            return handler(backend, request)

        REGISTRY[name] = checked
        return checked

    return register
