"""Control-plane handlers for memory resources (create, get, list, delete)."""

from __future__ import annotations

from typing import Any

from ...aws import limits
from ..backend import Backend
from ..operations import Body, Request, operation
from ..validation import Problems
from .common import page, read_max_results, read_next_token


@operation("CreateMemory")
def create_memory(backend: Backend, request: Request) -> Body:
    """CreateMemory -> 202 ``{memory}``; the memory is ACTIVE at once."""
    body = request.body
    problems = Problems()
    name = problems.string("name", body.get("name"), pattern=limits.MEMORY_NAME_PATTERN)
    expiry = body.get("eventExpiryDuration")
    if expiry is None:
        problems.add("eventExpiryDuration", "Member must not be null")
    expiry = problems.integer(
        "eventExpiryDuration",
        expiry,
        minimum=limits.EVENT_EXPIRY_MIN_DAYS,
        maximum=limits.EVENT_EXPIRY_MAX_DAYS,
        default=None,
    )
    description = problems.string(
        "description", body.get("description"), required=False, max_length=4096
    )
    strategies = body.get("memoryStrategies") or []
    if not isinstance(strategies, list):
        problems.add("memoryStrategies", "Member must be a list")
        strategies = []
    for index, strategy in enumerate(strategies):
        member = problems.union(
            f"memoryStrategies.{index}",
            strategy,
            (
                "semanticMemoryStrategy",
                "summaryMemoryStrategy",
                "userPreferenceMemoryStrategy",
                "customMemoryStrategy",
                "episodicMemoryStrategy",
            ),
        )
        if member is not None:
            problems.string(
                f"memoryStrategies.{index}.{member[0]}.name",
                (member[1] or {}).get("name"),
                pattern=limits.MEMORY_NAME_PATTERN,
            )
    token = problems.string(
        "clientToken", body.get("clientToken"), required=False, min_length=0, max_length=500
    )
    problems.raise_if_any()
    assert name is not None and expiry is not None
    kept = ("memoryExecutionRoleArn", "encryptionKeyArn")
    extra: dict[str, Any] = {k: body[k] for k in kept if k in body}
    memory = backend.memories.create(
        name=name,
        event_expiry_days=expiry,
        description=description,
        strategies=strategies,
        client_token=token,
        extra=extra,
    )
    return {"memory": memory}


def _control_memory_id(request: Request) -> str:
    problems = Problems()
    memory_id = problems.string(
        "memoryId",
        request.labels["memoryId"],
        pattern=limits.BARE_MEMORY_ID_PATTERN,
        min_length=limits.MEMORY_ID_MIN_LENGTH,
    )
    problems.raise_if_any()
    assert memory_id
    return memory_id


@operation("GetMemory")
def get_memory(backend: Backend, request: Request) -> Body:
    """GetMemory -> 200 ``{memory}``."""
    return {"memory": backend.memories.get(_control_memory_id(request))}


@operation("ListMemories")
def list_memories(backend: Backend, request: Request) -> Body:
    """ListMemories -> 200 ``{memories, nextToken?}``, newest first."""
    problems = Problems()
    max_results = read_max_results(problems, request.body)
    token = read_next_token(problems, request.body)
    problems.raise_if_any()
    memories, more = backend.memories.list_memories(max_results=max_results, next_token=token)
    return page("memories", memories, more)


@operation("DeleteMemory")
def delete_memory(backend: Backend, request: Request) -> Body:
    """DeleteMemory -> 202 ``{memoryId, status: DELETING}``; the memory is gone at once."""
    memory_id = _control_memory_id(request)
    backend.memories.delete(memory_id)
    return {"memoryId": memory_id, "status": "DELETING"}
