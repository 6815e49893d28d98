"""Conformance with botocore's own model, read from the installed botocore (nothing copied).

For every memory operation (request URI under ``/memories``) in the ``bedrock-agentcore`` and
``bedrock-agentcore-control`` models: the server has a route and a handler; a request generated
from the input shape succeeds through real boto3; the response carries every member the model
marks required, recursively; and an invalid value for each constrained member (max, pattern,
enum) is answered with a ValidationException naming the member. A newly modelled operation
fails the first test until it is served.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
import pytest

from agentcore_memory_otel.local import LocalMemoryServer, model, routes
from agentcore_memory_otel.local.operations import REGISTRY

from ..support import NO_RETRIES

OPERATIONS = sorted(model.memory_operations())
# Rules the model states only in prose: Retrieve needs exactly one of namespace/namespacePath.
PROSE_RULES: dict[str, dict[str, Any]] = {"RetrieveMemoryRecords": {"namespace": "/conformance"}}
# Batch items that fail alone, reported in failedRecords rather than as a ValidationException.
ITEM_MEMBERS = {"BatchCreateMemoryRecords": "records", "BatchUpdateMemoryRecords": "records"}
_STRING_CANDIDATES = ("a", "a1", "/a", "abc", "arn:aws:iam::123456789012:role/conformance")
_BAD_CANDIDATES = ("!", "!a", " ", "a b!", "#")
_MAX_DEPTH = 6
_MEMORY_NUMBERS = itertools.count()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass
class World:
    """Existing resources a generated request refers to."""

    memory_id: str
    event_id: str
    record_id: str
    job_id: str

    def known(self, name: str) -> Any:
        return {
            "memoryId": self.memory_id,
            "actorId": "actor-1",
            "sessionId": "session-1",
            "eventId": self.event_id,
            "memoryRecordId": self.record_id,
            "jobId": self.job_id,
        }.get(name)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalMemoryServer]:
    with LocalMemoryServer(settle_seconds=0) as running:
        yield running


def _world(server: LocalMemoryServer) -> World:
    control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
    data = server.client(config=NO_RETRIES)
    memory_id = control.create_memory(
        name=f"conformance{next(_MEMORY_NUMBERS)}",  # memory names are unique per server
        eventExpiryDuration=30,
        memoryStrategies=[
            {"semanticMemoryStrategy": {"name": "facts", "namespaceTemplates": ["/f/{actorId}"]}}
        ],
    )["memory"]["id"]
    event = data.create_event(
        memoryId=memory_id,
        actorId="actor-1",
        sessionId="session-1",
        eventTimestamp=time.time(),
        payload=[{"conversational": {"role": "USER", "content": {"text": "I live in Paris"}}}],
    )["event"]
    record = data.batch_create_memory_records(
        memoryId=memory_id,
        records=[
            {
                "requestIdentifier": "r1",
                "namespaces": ["/conformance"],
                "content": {"text": "conformance record"},
                "timestamp": time.time(),
            }
        ],
    )["successfulRecords"][0]["memoryRecordId"]
    job = data.list_memory_extraction_jobs(memoryId=memory_id)["jobs"][0]["jobID"]
    return World(memory_id, event["eventId"], record, job)


def _string(shape: Any) -> str:
    enum = shape.metadata.get("enum")
    if enum:
        return str(enum[0])
    low: int = shape.metadata.get("min", 1)
    high: int | None = shape.metadata.get("max")
    pattern = shape.metadata.get("pattern")
    for candidate in _STRING_CANDIDATES:
        text = candidate * max(1, -(-low // len(candidate)))
        if high is not None and len(text) > high:
            continue
        if pattern is None or re.fullmatch(pattern, text):
            return text
    return "a" * max(low, 1)


def generate(shape: Any, world: World, name: str = "", depth: int = 0) -> Any:
    """A valid value for ``shape``: required members only, first union member, one list item."""
    known = world.known(name)
    if known is not None:
        return known
    kind = shape.type_name
    if shape.metadata.get("document"):
        return {}
    if kind == "string":
        return _string(shape)
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if kind in ("double", "float"):
        return 1.0
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return time.time()
    if kind == "blob":
        return b"a"
    if kind == "list":
        return [generate(shape.member, world, "", depth + 1)]
    if kind == "map":
        return {
            generate(shape.key, world, "", depth + 1): generate(shape.value, world, "", depth + 1)
        }
    if shape.metadata.get("union"):
        first, member = next(iter(shape.members.items()))
        return {first: generate(member, world, first, depth + 1)}
    return {
        member: generate(shape.members[member], world, member, depth + 1)
        for member in shape.required_members
    }


def _request(operation: str, world: World) -> dict[str, Any]:
    request = generate(model.operation(operation).model.input_shape, world)
    request.update(PROSE_RULES.get(operation, {}))
    return dict(request)


def _call(server: LocalMemoryServer, operation: str, params: dict[str, Any]) -> Any:
    modelled = model.operation(operation)
    client = server.client(modelled.service, config=NO_RETRIES)
    return client, getattr(client, _snake(operation))(**params)


def missing_required(shape: Any, value: Any, path: str = "") -> list[str]:
    """Paths of required members absent from a parsed response, recursively."""
    missing: list[str] = []
    if value is None:
        return missing
    if shape.type_name == "structure" and isinstance(value, dict):
        for member in shape.required_members:
            if member not in value:
                missing.append(f"{path}.{member}".lstrip("."))
        for member, item in value.items():
            if member in shape.members:
                missing += missing_required(shape.members[member], item, f"{path}.{member}")
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            missing += missing_required(shape.member, item, f"{path}.{index}")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            missing += missing_required(shape.value, item, f"{path}.{key}")
    return missing


def test_every_memory_operation_has_a_route_and_a_handler() -> None:
    assert len(OPERATIONS) >= 21
    unserved = [name for name in OPERATIONS if name not in REGISTRY]
    assert unserved == []
    routed = {route.operation for route in routes.table()}
    assert set(OPERATIONS) <= routed


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_generated_request_succeeds_with_every_required_member(
    server: LocalMemoryServer, operation: str
) -> None:
    world = _world(server)
    _, response = _call(server, operation, _request(operation, world))
    output = model.operation(operation).model.output_shape
    response.pop("ResponseMetadata")
    assert missing_required(output, response) == []


def _constrained(shape: Any, path: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(dotted path, shape) of every member with a max, pattern or enum, below ``shape``."""
    if depth > _MAX_DEPTH or shape.metadata.get("document"):
        return
    meta = shape.metadata
    if path and (meta.get("enum") or meta.get("pattern") or "max" in meta):
        yield path, shape
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            if member.serialization.get("location") == "header":
                continue
            yield from _constrained(member, f"{path}.{name}".lstrip("."), depth + 1)
    elif shape.type_name == "list":
        yield from _constrained(shape.member, f"{path}.0", depth + 1)
    elif shape.type_name == "map":
        yield from _constrained(shape.value, f"{path}.k", depth + 1)


def _invalid(shape: Any, world: World) -> Any:
    meta = shape.metadata
    kind = shape.type_name
    if kind == "string" and meta.get("enum"):
        return "NOT_A_MODELLED_VALUE"
    if kind == "string" and "max" in meta:
        return "a" * (meta["max"] + 1)
    if kind == "string" and meta.get("pattern"):
        low = meta.get("min", 1)
        for candidate in _BAD_CANDIDATES:
            text = candidate * max(1, -(-low // len(candidate)))
            if not re.fullmatch(meta["pattern"], text):
                return text
        return None
    if kind in ("integer", "long") and "max" in meta:
        return meta["max"] + 1
    if kind == "list" and "max" in meta:
        return [generate(shape.member, world) for _ in range(meta["max"] + 1)]
    if kind == "map" and "max" in meta:
        return {f"k{i}": generate(shape.value, world) for i in range(meta["max"] + 1)}
    return None


def _build(shape: Any, parts: list[str], value: Any, world: World, name: str = "") -> Any:
    """A valid value for ``shape`` holding ``value`` at the dotted path ``parts``."""
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if shape.type_name == "list":
        return [_build(shape.member, rest, value, world)]
    if shape.type_name == "map":
        return {head: _build(shape.value, rest, value, world)}
    base = {} if shape.metadata.get("union") else generate(shape, world, name)
    base[head] = _build(shape.members[head], rest, value, world, head)
    return base


def _cases() -> Iterator[tuple[str, str]]:
    for operation in OPERATIONS:
        for path, _ in _constrained(model.operation(operation).model.input_shape, ""):
            yield operation, path


@pytest.mark.parametrize(("operation", "path"), list(_cases()))
def test_an_invalid_value_is_a_validation_error_naming_the_member(
    server: LocalMemoryServer, operation: str, path: str
) -> None:
    world = _world_for(server)
    root = model.operation(operation).model.input_shape
    shape = dict(_constrained(root, ""))[path]
    value = _invalid(shape, world)
    if value is None:
        pytest.skip("no value breaks this pattern within its lengths")
    request = {**PROSE_RULES.get(operation, {}), **_build(root, path.split("."), value, world)}
    try:
        _, response = _call(server, operation, request)
    except botocore.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "ValidationException", error
        assert path in error.response["Error"]["Message"]
        return
    item_member = ITEM_MEMBERS.get(operation)
    assert item_member and path.startswith(f"{item_member}."), f"{operation} accepted {path}"
    failed = response["failedRecords"]
    assert failed and path in failed[0]["errorMessage"]


_WORLDS: dict[int, World] = {}


def _world_for(server: LocalMemoryServer) -> World:
    """One shared world for the validation cases: invalid requests change nothing."""
    if id(server) not in _WORLDS:
        _WORLDS[id(server)] = _world(server)
    return _WORLDS[id(server)]


def test_the_model_is_the_installed_one() -> None:
    loaded = botocore.session.get_session().get_service_model("bedrock-agentcore")
    assert model.operation("CreateEvent").model.service_model.api_version == loaded.api_version
