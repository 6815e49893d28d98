"""The operations table: handlers, routes derived from botocore's model, and unrouted requests."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer, model, routes, shapes
from agentcore_memory_otel.local.handlers import REGISTRY


def test_every_route_has_a_handler_and_matches_botocore() -> None:
    table = routes.table()
    assert {route.operation for route in table} == set(REGISTRY)
    for route in table:
        modelled = model.operation(route.operation)
        service = modelled.model.service_model
        http_binding = service.operation_model(route.operation).http
        assert route.method == http_binding["method"]
        assert "/" + "/".join(route.segments) == http_binding["requestUri"].split("?")[0]
        assert route.status == int(http_binding.get("responseCode", 200))


def test_every_pattern_of_a_served_operation_compiles() -> None:
    """The server enforces a pattern only if Python can compile it; none may be skipped."""
    seen: set[str] = set()
    uncompiled: list[str] = []

    def walk(shape: Any, path: str) -> None:
        if shape.name in seen:
            return
        seen.add(shape.name)
        text = shape.metadata.get("pattern")
        if text is not None and shapes._pattern(text) is None:
            uncompiled.append(f"{path}: {text}")
        if shape.type_name == "structure":
            for name, member in shape.members.items():
                walk(member, f"{path}.{name}")
        elif shape.type_name == "list":
            walk(shape.member, f"{path}[]")
        elif shape.type_name == "map":
            walk(shape.key, f"{path}{{key}}")
            walk(shape.value, f"{path}{{value}}")

    for name in REGISTRY:
        input_shape = model.operation(name).model.input_shape
        if input_shape is not None:
            walk(input_shape, name)
    assert len(seen) > 50  # the walk really went through the shapes
    assert uncompiled == []


def test_a_second_handler_for_an_operation_is_refused() -> None:
    from agentcore_memory_otel.local.operations import operation

    with pytest.raises(ValueError, match="CreateEvent"):
        operation("CreateEvent")(lambda backend, request: {})
    with pytest.raises(KeyError):
        operation("NoSuchOperation")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/memories/create"),
        ("PUT", "/memories/create"),
    ],
)
def test_each_route_answers_only_its_method(method: str, path: str) -> None:
    assert routes.match(method, path) is None
    assert routes.methods_for(path) == ["POST"]


def _raw(server: LocalMemoryServer, method: str, path: str) -> tuple[int, dict[str, str], Any]:
    host, port = server.endpoint_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        if method in ("GET", "HEAD"):
            conn.request(method, path)
        else:  # a JSON body, as any client sends (trust.py refuses untyped bodies)
            conn.request(method, path, body=b"{}", headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        raw = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    return response.status, headers, json.loads(raw) if raw else None


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PATCH", "/memories/m-abcdefghij/events", 405),
        ("OPTIONS", "/memories/m-abcdefghij/events", 405),
        ("TRACE", "/memories/create", 405),
        ("GET", "/memories/m-abcdefghij/events", 405),
        ("POST", "/nowhere", 404),
        ("GET", "/", 404),
        ("PATCH", "/memories/m-abcdefghij/unknown/deeper", 404),
    ],
)
def test_unsupported_method_or_path_gets_an_aws_style_error(
    server: LocalMemoryServer, method: str, path: str, status: int
) -> None:
    got, headers, body = _raw(server, method, path)
    assert got == status
    assert headers["x-amzn-errortype"] == "UnknownOperationException"
    assert headers["content-type"] == "application/json"
    assert headers["x-amzn-requestid"]
    assert method in body["message"]
    if status == 405:
        assert headers["allow"] == "POST"


def test_boto3_sees_unknown_operation_as_a_client_error(server: LocalMemoryServer) -> None:
    """An operation botocore models but the server does not serve raises a named error."""
    client = server.client("bedrock-agentcore-control")
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.list_gateways()
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"
