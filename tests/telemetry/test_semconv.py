"""Every memory span against the one attribute table (``names.SPAN_ATTRIBUTES``) and the spec."""

from __future__ import annotations

import time
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from agentcore_memory_otel import RetrievalConfig, find_events
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.telemetry import InstrumentedMemoryApi, names
from agentcore_memory_otel.telemetry.operations import OPERATIONS, MemoryOperation
from agentcore_memory_otel.testing import ToolCall

from ..support import NO_RETRIES, make_agent
from .conftest import PROVIDER, memory_spans

Requirement = names.Requirement
# Operations whose request names one session (so gen_ai.conversation.id is available).
SESSION_SCOPED = {"CreateEvent", "GetEvent", "ListEvents", "DeleteEvent"}


def _every_operation(traced_manager: Any, server: LocalMemoryServer, memory_id: str) -> None:
    """Make each operation of the table at least once, plus failed calls."""
    server.client().batch_create_memory_records(
        memoryId=memory_id,
        records=[
            {
                "requestIdentifier": "r1",
                "namespaces": ["/facts/user-1"],
                "content": {"text": "The user likes tea"},
                "timestamp": time.time(),
            }
        ],
    )
    manager = traced_manager(
        retrieval_config={"/facts/{actorId}": RetrievalConfig(relevance_score=0.0)}
    )
    make_agent(manager, [ToolCall("add", {"a": 1, "b": 2}), "3"])("tea and sums")
    api = InstrumentedMemoryApi(server.client(config=NO_RETRIES), tracer_provider=PROVIDER)
    scope = {"memoryId": memory_id, "actorId": "user-1", "sessionId": "traced"}
    event_id = api.list_events({**scope, "maxResults": 1})["events"][0]["eventId"]
    api.call("GetEvent", {**scope, "eventId": event_id})
    api.call("ListSessions", {"memoryId": memory_id, "actorId": "user-1"})
    api.call("ListActors", {"memoryId": memory_id})
    created = api.call(
        "BatchCreateMemoryRecords",
        {
            "memoryId": memory_id,
            "records": [
                {
                    "requestIdentifier": "r2",
                    "namespaces": ["/facts/user-1"],
                    "content": {"text": "The user likes sums"},
                    "timestamp": time.time(),
                }
            ],
        },
    )
    record_id = created["successfulRecords"][0]["memoryRecordId"]
    api.call("ListMemoryRecords", {"memoryId": memory_id, "namespace": "/facts/user-1"})
    api.call("GetMemoryRecord", {"memoryId": memory_id, "memoryRecordId": record_id})
    api.call("DeleteMemoryRecord", {"memoryId": memory_id, "memoryRecordId": record_id})
    api.call(
        "BatchDeleteMemoryRecords",
        {"memoryId": memory_id, "records": [{"memoryRecordId": record_id}]},
    )
    api.delete_event({**scope, "eventId": event_id})
    with pytest.raises(Exception, match="ResourceNotFound"):
        api.call("GetEvent", {**scope, "eventId": event_id})
    server.faults.fail_next("CreateEvent", 1, status=500)
    with pytest.raises(Exception, match="ServiceException"):
        api.call(
            "CreateEvent",
            {
                **scope,
                "eventTimestamp": time.time(),
                "payload": [{"conversational": {"role": "USER", "content": {"text": "x"}}}],
            },
        )
    api.close()
    find_events("f" * 32, memory_id=memory_id, client=server.client(), tracer_provider=PROVIDER)


def _ours(span: ReadableSpan) -> dict[str, Any]:
    # Langfuse's span processor, once a test registered it on the shared provider, adds its own.
    return {k: v for k, v in (span.attributes or {}).items() if not k.startswith("langfuse.")}


def _check_lookup(span: ReadableSpan) -> None:
    """The INTERNAL span around a ``find_events`` lookup."""
    attrs = _ours(span)
    assert set(attrs) <= set(names.SPAN_ATTRIBUTES)
    assert span.name == attrs[names.GEN_AI_OPERATION_NAME] == MemoryOperation.SEARCH_MEMORY.value
    assert attrs[names.GEN_AI_PROVIDER_NAME] == "aws.bedrock"
    assert attrs[names.GEN_AI_MEMORY_RECORD_COUNT] == 0
    assert attrs[names.LOOKUP_CALLS] > 0


def _check(span: ReadableSpan, *, capture: bool) -> None:
    attrs = _ours(span)
    unknown = set(attrs) - set(names.SPAN_ATTRIBUTES)
    assert not unknown, f"{span.name}: attributes missing from names.SPAN_ATTRIBUTES: {unknown}"
    required = {k for k, level in names.SPAN_ATTRIBUTES.items() if level is Requirement.REQUIRED}
    assert required <= set(attrs)
    method = str(attrs[names.RPC_METHOD])
    spec = OPERATIONS[method]
    # Span name: {gen_ai.operation.name}, a value of the convention's list.
    assert span.name == attrs[names.GEN_AI_OPERATION_NAME] == spec.name.value
    assert span.name in {op.value for op in MemoryOperation}
    assert attrs[names.GEN_AI_PROVIDER_NAME] == "aws.bedrock"
    assert attrs[names.GEN_AI_MEMORY_STORE_ID]
    assert (names.SERVER_PORT in attrs) == (names.SERVER_ADDRESS in attrs)
    failed = span.status.status_code is StatusCode.ERROR
    assert (names.ERROR_TYPE in attrs) == failed
    # Record id exactly when one record is concerned (on failure: when the request named it).
    expects_id = spec.one_record and not (failed and method == "CreateEvent")
    if method == "BatchCreateMemoryRecords":
        expects_id = attrs[names.GEN_AI_MEMORY_RECORD_COUNT] == 1
    assert (names.GEN_AI_MEMORY_RECORD_ID in attrs) == expects_id, method
    assert (names.GEN_AI_CONVERSATION_ID in attrs) == (method in SESSION_SCOPED), method
    counted = {"CreateEvent", "ListEvents", "RetrieveMemoryRecords", "ListMemoryRecords"}
    if method in counted and not failed:
        assert names.GEN_AI_MEMORY_RECORD_COUNT in attrs
    if method in {"RetrieveMemoryRecords", "ListMemoryRecords"}:
        assert attrs[names.NAMESPACE] == "/facts/user-1"
    opt_in = {k for k, level in names.SPAN_ATTRIBUTES.items() if level is Requirement.OPT_IN}
    if not capture:
        assert not opt_in & set(attrs)
    elif method == "RetrieveMemoryRecords":
        assert attrs[names.GEN_AI_MEMORY_QUERY_TEXT]
    elif method in {"CreateEvent", "BatchCreateMemoryRecords"}:
        assert attrs[names.GEN_AI_MEMORY_RECORDS]


@pytest.mark.parametrize("capture", [False, True])
def test_every_memory_span_matches_the_attribute_table(
    traced_manager: Any,
    spans: InMemorySpanExporter,
    server: LocalMemoryServer,
    memory_id: str,
    monkeypatch: pytest.MonkeyPatch,
    capture: bool,
) -> None:
    if capture:
        monkeypatch.setenv(names.CAPTURE_CONTENT_ENV, "true")
    _every_operation(traced_manager, server, memory_id)
    checked = [s for s in memory_spans(spans) if s.kind is SpanKind.CLIENT]
    assert {s.attributes[names.RPC_METHOD] for s in checked} == set(OPERATIONS)
    for span in checked:
        _check(span, capture=capture)
    (lookup,) = [s for s in memory_spans(spans) if s.kind is SpanKind.INTERNAL]
    _check_lookup(lookup)
