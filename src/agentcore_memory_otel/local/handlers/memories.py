"""Control-plane handlers for memory resources: create, get, list, update, delete, and tags.

botocore's model validates the shapes (``shapes``); these handlers add the rules the model
cannot state and hand the body to ``memories.MemoryResources``.
"""

from __future__ import annotations

from ..backend import Backend
from ..errors import ResourceNotFoundError
from ..operations import Body, Request, operation
from ..validation import Problems
from .common import page, read_max_results, read_next_token

_MEMORY_ARN = "arn:aws:bedrock-agentcore:"


@operation("CreateMemory")
def create_memory(backend: Backend, request: Request) -> Body:
    """CreateMemory -> 202 ``{memory}``; the memory and its strategies are ACTIVE at once."""
    return {"memory": backend.memories.create(request.body)}


@operation("GetMemory")
def get_memory(backend: Backend, request: Request) -> Body:
    """GetMemory -> 200 ``{memory}``."""
    return {"memory": backend.memories.get(request.labels["memoryId"])}


@operation("UpdateMemory")
def update_memory(backend: Backend, request: Request) -> Body:
    """UpdateMemory -> 202 ``{memory}``; strategy changes settle as ``memories`` describes."""
    return {"memory": backend.memories.update(request.labels["memoryId"], request.body)}


@operation("ListMemories")
def list_memories(backend: Backend, request: Request) -> Body:
    """ListMemories -> 200 ``{memories, nextToken?}``, newest first."""
    problems = Problems()
    token = read_next_token(problems, request.body)
    problems.raise_if_any()
    memories, more = backend.memories.list_memories(
        max_results=read_max_results(request.body), next_token=token
    )
    return page("memories", memories, more)


@operation("DeleteMemory")
def delete_memory(backend: Backend, request: Request) -> Body:
    """DeleteMemory -> 202 ``{memoryId, status: DELETING}``; the memory is gone at once."""
    memory_id = request.labels["memoryId"]
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
    backend.memories.tag(_memory_arn(request), {}, request.query_lists["tagKeys"])
    return {}
