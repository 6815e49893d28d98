"""Control-plane handlers for memory resources: create, get, list, update, delete, and tags.

botocore's model validates the shapes (``shapes``); these handlers add the rules the model
cannot state and hand the body to ``memories.MemoryResources``.
"""

from __future__ import annotations

from ...aws import limits
from ..backend import Backend
from ..errors import ResourceNotFoundError, ValidationError
from ..operations import Body, Request, operation
from ..validation import Problems
from .common import page, read_max_results, read_next_token

_MEMORY_ARN = "arn:aws:bedrock-agentcore:"


@operation("CreateMemory")
def create_memory(backend: Backend, request: Request) -> Body:
    """CreateMemory -> 202 ``{memory}``; the memory and its strategies are ACTIVE at once."""
    return {"memory": backend.memories.create(request.body)}


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


@operation("UpdateMemory")
def update_memory(backend: Backend, request: Request) -> Body:
    """UpdateMemory -> 202 ``{memory}``; strategy changes settle as ``memories`` describes."""
    return {"memory": backend.memories.update(_control_memory_id(request), request.body)}


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


def _memory_arn(request: Request) -> str:
    arn = request.labels["resourceArn"]
    if not arn.startswith(_MEMORY_ARN) or ":memory/" not in arn:
        raise ResourceNotFoundError(f"The local server tags memories only, not {arn}")
    return arn


@operation("ListTagsForResource")
def list_tags_for_resource(backend: Backend, request: Request) -> Body:
    """ListTagsForResource -> 200 ``{tags}`` of a memory ARN."""
    return {"tags": backend.memories.tags(_memory_arn(request))}


@operation("TagResource")
def tag_resource(backend: Backend, request: Request) -> Body:
    """TagResource -> 204: add tags to a memory."""
    tags = request.body.get("tags") or {}
    backend.memories.tag(_memory_arn(request), dict(tags), [])
    return {}


@operation("UntagResource")
def untag_resource(backend: Backend, request: Request) -> Body:
    """UntagResource -> 204: remove tags (``tagKeys`` query parameters) from a memory."""
    keys = request.query_lists.get("tagKeys") or []
    if not keys:
        raise ValidationError.single("tagKeys", "Member must not be null")
    backend.memories.tag(_memory_arn(request), {}, keys)
    return {}
