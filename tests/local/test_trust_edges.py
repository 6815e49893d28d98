"""Loopback trust at its edges: addresses that mean this machine, and forged list offsets.

Found by attacking issue 22's loopback guard: ``serve --host 0.0.0.0`` prints
``http://0.0.0.0:P`` as the endpoint to export, and boto3 following it sent ``Host: 0.0.0.0:P``,
which the guard refused; a dual-stack socket sees IPv4 as ``::ffff:a.b.c.d``; an IPv6
``LocalMemoryServer`` gave an endpoint_url boto3 could not parse.
"""

from __future__ import annotations

import base64
import json
import socket
import time
from typing import Any

import boto3
import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from ..support import NO_RETRIES
from .rawhttp import send


def _port(server: LocalMemoryServer) -> int:
    return int(server.endpoint_url.rsplit(":", 1)[1])


def _client(service: str, endpoint_url: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=NO_RETRIES,
    )


def test_the_unspecified_address_serve_prints_for_0_0_0_0_is_served(
    server: LocalMemoryServer,
) -> None:
    """boto3 pointed at ``http://0.0.0.0:P`` (what ``serve --host 0.0.0.0`` tells the user to
    export) reaches the loopback listener and is served; the test binds only 127.0.0.1."""
    endpoint = f"http://0.0.0.0:{_port(server)}"
    control = _client("bedrock-agentcore-control", endpoint)
    memory_id = control.create_memory(name="wide", eventExpiryDuration=30)["memory"]["id"]
    data = _client("bedrock-agentcore", endpoint)
    assert data.list_actors(memoryId=memory_id)["actorSummaries"] == []


@pytest.mark.parametrize("host", ["[::ffff:127.0.0.1]:{port}", "[::]:{port}", "0.0.0.0:{port}"])
def test_loopback_in_other_spellings_is_served(server: LocalMemoryServer, host: str) -> None:
    answer = send(
        server.endpoint_url,
        "GET",
        "/console/api/memories",
        headers={"Host": host.format(port=_port(server))},
    )
    assert answer.status == 200, answer.body


@pytest.mark.parametrize("host", ["[::ffff:10.1.2.3]:{port}", "[::ffff:127.0.0.1]:{other}"])
def test_mapped_addresses_that_are_not_this_server_are_refused(
    server: LocalMemoryServer, host: str
) -> None:
    port = _port(server)
    answer = send(
        server.endpoint_url,
        "GET",
        "/console/api/memories",
        headers={"Host": host.format(port=port, other=port + 1)},
    )
    assert answer.status == 403, answer.body


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_an_ipv6_servers_endpoint_url_works_with_boto3() -> None:
    with LocalMemoryServer(host="::1") as server:
        assert server.endpoint_url.startswith("http://[::1]:")
        control = server.client("bedrock-agentcore-control", config=NO_RETRIES)
        memory_id = control.create_memory(name="six", eventExpiryDuration=30)["memory"]["id"]
        assert control.get_memory(memoryId=memory_id)["memory"]["name"] == "six"


def _token(operation: str, position: list[Any]) -> str:
    raw = json.dumps({"op": operation, "pos": position}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("offset", [-1, -3, -(2**62)])
def test_a_forged_negative_retrieve_offset_is_refused(
    client: Any, control: Any, offset: int
) -> None:
    """A negative offset sliced from the end and answered with a token naming itself again,
    so a client paging ``while nextToken`` never stopped."""
    memory = control.create_memory(
        name="ranked",
        eventExpiryDuration=30,
        memoryStrategies=[{"semanticMemoryStrategy": {"name": "facts", "namespaces": ["/f"]}}],
    )["memory"]
    strategy_id = memory["strategies"][0]["strategyId"]
    records = [
        {
            "requestIdentifier": f"r{i}",
            "namespaces": ["/f"],
            "content": {"text": f"fact {i} about tea"},
            "timestamp": 1700000000,
            "memoryStrategyId": strategy_id,
        }
        for i in range(3)
    ]
    client.batch_create_memory_records(memoryId=memory["id"], records=records)
    with pytest.raises(client.exceptions.ValidationException, match="nextToken"):
        client.retrieve_memory_records(
            memoryId=memory["id"],
            namespace="/f",
            searchCriteria={"searchQuery": "tea"},
            maxResults=2,
            nextToken=_token("RetrieveMemoryRecords", [offset]),
        )


def test_a_client_hanging_up_mid_body_is_no_server_failure(
    server: LocalMemoryServer, memory_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A client that promises more body than it sends and hangs up is not a 500: nothing is
    counted as a server failure and nothing is logged as one (it was, with a traceback)."""
    port = _port(server)
    body = b'{"actorId": "a", "sessionId": "s"'
    head = (
        f"POST /memories/{memory_id}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body) + 100}\r\n\r\n"
    )
    with caplog.at_level("INFO", logger="agentcore_memory_otel"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(head.encode() + body)
        # The next request on a new connection is answered after the hung-up one was handled.
        answer = send(server.endpoint_url, "GET", f"/console/api/memory?memoryId={memory_id}")
        assert answer.status == 200
        deadline = time.monotonic() + 10
        handled = ("hung up", "failed on")  # today's message, and the one before the fix
        while not any(m in r.getMessage() for r in caplog.records for m in handled):
            assert time.monotonic() < deadline, "the hung-up request was never handled"
            time.sleep(0.05)
    assert server.stats.count("CreateEvent", outcome="ServiceException") == 0
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []


def _at_depth(frames: int, call: Any) -> Any:
    """Run ``call`` with ``frames`` more frames on the stack, as inside an agent's restore."""
    return call() if frames == 0 else _at_depth(frames - 1, call)


def _event_with_blob(blob: str, session: str) -> str:
    return (
        f'{{"actorId": "a", "sessionId": "{session}", "eventTimestamp": 1700000000,'
        f' "payload": [{{"blob": {blob}}}]}}'
    )


def test_a_document_too_deep_for_boto3_to_read_back_is_refused(
    server: LocalMemoryServer, client: Any, memory_id: str
) -> None:
    """A 900-deep blob was stored, and boto3 then raised RecursionError reading its session
    from 100 frames down; it is refused, and one within the limit reads back from 200 down."""
    path = f"/memories/{memory_id}/events"
    deep = send(server.endpoint_url, "POST", path, _event_with_blob("[" * 900 + "]" * 900, "d"))
    assert deep.status == 400, deep.body
    assert "nest deeper than 100" in deep.json()["message"]
    assert (
        _at_depth(200, lambda: client.list_events(memoryId=memory_id, actorId="a", sessionId="d"))[
            "events"
        ]
        == []
    )
    shallow = "[" * 95 + "]" * 95
    kept = send(server.endpoint_url, "POST", path, _event_with_blob(shallow, "s"))
    assert kept.status == 201, kept.body
    events = _at_depth(
        200, lambda: client.list_events(memoryId=memory_id, actorId="a", sessionId="s")
    )["events"]
    assert json.dumps(events[0]["payload"][0]["blob"]).replace(" ", "") == shallow
