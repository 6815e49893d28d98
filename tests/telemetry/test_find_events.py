"""From a trace id back to the events (and messages) that trace wrote."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from agentcore_memory_otel import find_events
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall
from agentcore_memory_otel.wire.trace_stamp import normalize_trace_id

from ..support import make_agent
from .conftest import PROVIDER, memory_spans


def _invocation_traces(spans: InMemorySpanExporter) -> list[str]:
    return [
        trace.format_trace_id(s.context.trace_id)
        for s in spans.get_finished_spans()
        if s.name.startswith("invoke_agent")
    ]


def test_find_events_returns_exactly_one_invocations_messages(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = make_agent(traced_manager(), ["hi", ToolCall("add", {"a": 1, "b": 2}), "It is 3."])
    agent("hello")
    agent("add 1 and 2")
    other = make_agent(traced_manager(session_id="other-session"), ["elsewhere"])
    other("unrelated")
    first, second, _ = _invocation_traces(spans)
    found = find_events(
        second, memory_id=memory_id, actor_id="user-1", endpoint_url=server.endpoint_url
    )
    messages = [m for event in found for m in event.messages]
    assert messages == agent.messages[2:6]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert all(e.trace_id == second and e.session_id == "traced" for e in found)
    assert [
        len(e.messages)
        for e in find_events(
            first,
            memory_id=memory_id,
            actor_id="user-1",
            session_id="traced",
            client=server.client(),
        )
    ] == [1, 1]


def test_find_events_follows_pages_across_empty_filtered_pages(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    agent = make_agent(traced_manager(), [f"r{i}" for i in range(70)])
    for i in range(70):
        agent(f"q{i}")
    oldest = _invocation_traces(spans)[0]
    server.stats.reset()
    found = find_events(
        oldest, memory_id=memory_id, actor_id="user-1", session_id="traced", client=server.client()
    )
    assert [m["content"][0]["text"] for e in found for m in e.messages] == ["q0", "r0"]
    assert server.stats.count("ListEvents") == 2  # 140 events: an empty page, then the match


def test_find_events_rejects_a_malformed_trace_id(server: LocalMemoryServer) -> None:
    with pytest.raises(ValueError, match="X-Ray form"):
        find_events("not-a-trace", memory_id="m-abcdefghij", actor_id="a", client=server.client())


@pytest.mark.parametrize(
    "text",
    [
        "5759e988bd862e3fe1be46a994272793",
        "5759E988BD862E3FE1BE46A994272793",
        "0x5759e988bd862e3fe1be46a994272793",
        "5759e988-bd86-2e3f-e1be-46a994272793",
        "1-5759e988-bd862e3fe1be46a994272793",
        "  1-5759E988-BD862E3FE1BE46A994272793\n",
    ],
)
def test_trace_ids_in_every_common_form_normalise_to_w3c_hex(text: str) -> None:
    assert normalize_trace_id(text) == "5759e988bd862e3fe1be46a994272793"


@pytest.mark.parametrize(
    "text", ["", "5759e988", "1-5759e988-bd86", "2-5759e988-bd862e3fe1be46a994272793", "g" * 32]
)
def test_other_trace_id_text_is_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"32 hex digits.*X-Ray form"):
        normalize_trace_id(text)


def test_events_command(
    traced_manager: Any, spans: InMemorySpanExporter, server: LocalMemoryServer, memory_id: str
) -> None:
    make_agent(traced_manager(), [ToolCall("add", {"a": 2, "b": 2}), "Four."])("2+2?")
    (trace_id,) = _invocation_traces(spans)
    base = [
        sys.executable,
        "-m",
        "agentcore_memory_otel",
        "events",
        "--trace-id",
        trace_id.upper(),
        "--memory-id",
        memory_id,
        "--actor-id",
        "user-1",
        "--endpoint-url",
        server.endpoint_url,
    ]
    text = subprocess.run(base, capture_output=True, text=True, check=True).stdout
    assert f"4 event(s) for trace {trace_id}" in text  # normalised to the stored form
    assert '[toolUse add {"a": 2, "b": 2}]' in text
    assert "assistant: Four." in text
    data = json.loads(
        subprocess.run([*base, "--json"], capture_output=True, text=True, check=True).stdout
    )
    assert [e["traceId"] for e in data] == [trace_id] * 4
    missing = subprocess.run([*base[:5], "0" * 32, *base[6:]], capture_output=True, text=True)
    assert missing.returncode == 0 and "No events found" in missing.stdout  # as with --json


# --- lookups without an actor or a session ------------------------------------------------

ACTORS = ("a0", "a1", "a2", "a3")
SESSIONS = ("s0", "s1", "s2")  # created in this order: ListSessions returns s2 first
TRACE = "5759e988bd862e3fe1be46a994272793"
XRAY = "1-5759e988-bd862e3fe1be46a994272793"


@pytest.fixture
def populated(server: LocalMemoryServer, memory_id: str) -> str:
    """4 actors x 3 sessions, one event each; only a2/s1 holds TRACE."""
    client = server.client()
    for actor in ACTORS:
        for session in SESSIONS:
            other = f"{actor}{session}".ljust(32, "0")
            stamped = TRACE if (actor, session) == ("a2", "s1") else other
            client.create_event(
                memoryId=memory_id,
                actorId=actor,
                sessionId=session,
                eventTimestamp=datetime.now(timezone.utc),
                payload=[{"conversational": {"role": "USER", "content": {"text": "x"}}}],
                metadata={"traceId": {"stringValue": stamped}},
            )
    server.stats.reset()
    return memory_id


def _server_calls(server: LocalMemoryServer) -> dict[str, int]:
    counted = {op: server.stats.count(op) for op in ("ListActors", "ListSessions", "ListEvents")}
    return {op: n for op, n in counted.items() if n}


def test_a_trace_id_alone_finds_its_session_and_stops_there(
    server: LocalMemoryServer, populated: str
) -> None:
    found = find_events(TRACE, memory_id=populated, client=server.client(), max_workers=1)
    assert [(e.actor_id, e.session_id, e.trace_id) for e in found] == [("a2", "s1", TRACE)]
    assert isinstance(found, list)
    # Actors in order, each one's sessions newest first, until a2/s1: a0 and a1 fully, then
    # a2's s2 and s1; a3 is never listed.
    assert found.report.calls == {"ListActors": 1, "ListSessions": 3, "ListEvents": 8}
    assert found.report.calls == _server_calls(server)
    assert found.report.sessions_searched == 8
    assert found.report.stopped_early is True


def test_parallel_walks_find_the_same_events_and_report_exact_calls(
    server: LocalMemoryServer, populated: str
) -> None:
    alone = find_events(TRACE, memory_id=populated, client=server.client())
    assert [(e.actor_id, e.session_id) for e in alone] == [("a2", "s1")]
    assert alone.report.calls == _server_calls(server)
    assert alone.report.total_calls <= 1 + len(ACTORS) + len(ACTORS) * len(SESSIONS)


def test_a_trace_nowhere_walks_everything_once(server: LocalMemoryServer, populated: str) -> None:
    found = find_events("f" * 32, memory_id=populated, client=server.client())
    assert found == []
    assert found.report.calls == {"ListActors": 1, "ListSessions": 4, "ListEvents": 12}
    assert found.report.calls == _server_calls(server)
    assert found.report.sessions_searched == 12 and found.report.stopped_early is False


def test_a_session_without_its_actor_and_an_xray_id(
    server: LocalMemoryServer, populated: str
) -> None:
    found = find_events(
        XRAY, memory_id=populated, session_id="s1", client=server.client(), max_workers=1
    )
    assert [(e.actor_id, e.session_id, e.trace_id) for e in found] == [("a2", "s1", TRACE)]
    assert found.report.calls == {"ListActors": 1, "ListEvents": 3} == _server_calls(server)


def test_parallel_calls_stay_within_max_workers_and_the_rate_limits(
    server: LocalMemoryServer, populated: str, spans: InMemorySpanExporter
) -> None:
    client = server.client()
    in_flight = {"now": 0, "max": 0}

    def started(**_: Any) -> None:
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])

    def ended(**_: Any) -> None:
        in_flight["now"] -= 1

    client.meta.events.register("before-call.bedrock-agentcore", started)
    client.meta.events.register("after-call.bedrock-agentcore", ended)
    server.faults.set_latency(0.02)
    found = find_events(
        "f" * 32,
        memory_id=populated,
        client=client,
        max_workers=3,
        rate_limits={"ListSessions": 10},
        tracer_provider=PROVIDER,
    )
    server.faults.set_latency(0)
    assert found.report.total_calls == 17
    assert in_flight["max"] == 3
    starts = sorted(
        s.start_time or 0
        for s in memory_spans(spans)
        if s.attributes.get("rpc.method") == "ListSessions"
    )
    assert len(starts) == 4
    # 10 per second at most: the i-th listing starts at least i/10 s after the lookup began.
    (lookup,) = [s for s in memory_spans(spans) if s.kind is SpanKind.INTERNAL]
    began = lookup.start_time or 0
    assert all(start - began >= i * 0.1e9 for i, start in enumerate(starts))


def test_a_lookup_is_one_trace_under_a_search_memory_span(
    server: LocalMemoryServer, populated: str, spans: InMemorySpanExporter
) -> None:
    find_events(TRACE, memory_id=populated, client=server.client(), tracer_provider=PROVIDER)
    lookup = [s for s in memory_spans(spans) if s.kind is SpanKind.INTERNAL]
    calls = [s for s in memory_spans(spans) if s.kind is SpanKind.CLIENT]
    (root,) = lookup
    assert root.name == "search_memory" and root.parent is None
    assert root.attributes["gen_ai.memory.store.id"] == populated
    assert root.attributes["gen_ai.memory.record.count"] == 1
    assert root.attributes["agentcore.memory.lookup.calls"] == len(calls)
    assert all(s.parent.span_id == root.context.span_id for s in calls)
