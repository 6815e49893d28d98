"""botocore's own service models of the AgentCore Memory API: operations, HTTP bindings, shapes.

The local server serves the *memory* operations of the ``bedrock-agentcore`` (data plane) and
``bedrock-agentcore-control`` (control plane) models: those whose request URI lies under
``/memories``. Reading the installed botocore keeps routes, status codes and validation in step
with the client that talks to the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session

SERVICES: tuple[str, ...] = ("bedrock-agentcore", "bedrock-agentcore-control")
MEMORY_URI_PREFIX = "/memories"
# Control-plane operations outside /memories that memories need: tags on a memory ARN.
TAG_OPERATIONS: tuple[str, ...] = ("ListTagsForResource", "TagResource", "UntagResource")


@dataclass(frozen=True)
class ModelledOperation:
    """One operation as botocore models it."""

    name: str
    service: str
    method: str
    uri: str
    status: int
    model: Any  # botocore.model.OperationModel (botocore ships no type hints)


@cache
def _service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


@cache
def memory_operations() -> dict[str, ModelledOperation]:
    """Every memory operation of both models (request URI under ``/memories``), by name."""
    return {
        name: found
        for name, found in _servable().items()
        if found.uri.startswith(MEMORY_URI_PREFIX)
    }


@cache
def _servable() -> dict[str, ModelledOperation]:
    """The memory operations and the tag operations, by name."""
    found: dict[str, ModelledOperation] = {}
    for service in SERVICES:
        model = _service_model(service)
        for name in model.operation_names:
            operation = model.operation_model(name)
            uri = operation.http["requestUri"].split("?", 1)[0]
            if not uri.startswith(MEMORY_URI_PREFIX) and name not in TAG_OPERATIONS:
                continue
            found[name] = ModelledOperation(
                name=name,
                service=service,
                method=operation.http["method"],
                uri=uri,
                status=int(operation.http.get("responseCode", 200)),
                model=operation,
            )
    return found


def operation(name: str) -> ModelledOperation:
    """The modelled operation called ``name`` the server may serve (KeyError if none)."""
    return _servable()[name]
