"""Telemetry never breaks a memory call: a failing hook is logged once and the call goes on."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.telemetry import InstrumentedMemoryApi, guard, operations
from agentcore_memory_otel.telemetry.instruments import Tally
from agentcore_memory_otel.wire.codec import StoredMessage, decode_event

from ..support import make_agent, stored_events
from .conftest import PROVIDER, memory_spans

LOGGER = "agentcore_memory_otel.telemetry.guard"


class Boom(RuntimeError):
    pass


def boom(*_: Any, **__: Any) -> Any:
    raise Boom("injected telemetry bug")


@pytest.fixture(autouse=True)
def fresh_guard() -> Iterator[None]:
    guard._reported.clear()
    yield
    guard._reported.clear()


def _failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def _converse(traced_manager: Any) -> Any:
    agent = make_agent(traced_manager(), ["one", "two"])
    agent("first")
    agent("second")
    return agent


@pytest.mark.parametrize(
    ("hook", "inject"),
    [
        (
            "request attributes",
            lambda mp: mp.setitem(
                operations.OPERATIONS,
                "CreateEvent",
                dataclasses.replace(operations.OPERATIONS["CreateEvent"], request=boom),
            ),
        ),
        (
            "response attributes",
            lambda mp: mp.setitem(
                operations.OPERATIONS,
                "CreateEvent",
                dataclasses.replace(operations.OPERATIONS["CreateEvent"], response=boom),
            ),
        ),
        ("span links", lambda mp: mp.setattr(InstrumentedMemoryApi, "_links", boom)),
        ("call metrics", lambda mp: mp.setattr(InstrumentedMemoryApi, "_measure", boom)),
        ("event metrics", lambda mp: mp.setattr(InstrumentedMemoryApi, "_measure_event", boom)),
        ("retry hook", lambda mp: mp.setattr(InstrumentedMemoryApi, "_count_attempt", boom)),
        ("WriteTelemetry.avoided", lambda mp: mp.setattr(Tally, "add", boom)),
    ],
)
def test_a_failing_hook_is_logged_once_and_every_message_is_stored(
    traced_manager: Any,
    spans: InMemorySpanExporter,
    server: LocalMemoryServer,
    memory_id: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    hook: str,
    inject: Any,
) -> None:
    inject(monkeypatch)
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        agent = _converse(traced_manager)
    stored = stored_events(server, memory_id, session="traced", actor="user-1")
    assert [m["content"][0]["text"] for e in stored for m in _messages(e)] == [
        m["content"][0]["text"] for m in agent.messages
    ]
    failures = _failures(caplog)
    logged = [f.split("'")[1] for f in failures]
    assert hook in logged
    assert len(logged) == len(set(logged))  # each failing hook once, though it failed each call
    # The spans are still there, one per call.
    creates = [s for s in memory_spans(spans) if s.name == "create_memory"]
    assert len(creates) == server.stats.count("CreateEvent") == 4


def _messages(event: dict[str, Any]) -> list[Any]:
    return [
        stored.session_message.to_message()
        for stored in decode_event(event)
        if isinstance(stored, StoredMessage)
    ]


def test_an_operation_missing_from_the_table_is_traced_without_attributes(
    spans: InMemorySpanExporter,
    server: LocalMemoryServer,
    memory_id: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delitem(operations.OPERATIONS, "ListActors")
    api = InstrumentedMemoryApi(server.client(), tracer_provider=PROVIDER)
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        for _ in range(2):
            assert api.call("ListActors", {"memoryId": memory_id})["actorSummaries"] == []
    api.close()
    assert len(_failures(caplog)) == 1
    (span, _) = memory_spans(spans)
    assert span.name == "ListActors"
    assert span.attributes["rpc.method"] == "ListActors"


def test_a_tracer_that_fails_to_start_spans_does_not_fail_calls(
    server: LocalMemoryServer, memory_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    api = InstrumentedMemoryApi(server.client(), tracer_provider=PROVIDER)
    api._tracer = type("BrokenTracer", (), {"start_span": boom})()
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        assert api.call("ListActors", {"memoryId": memory_id})["actorSummaries"] == []
    api.close()
    assert "'span start'" in _failures(caplog)[0]
