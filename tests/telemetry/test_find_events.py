"""From a trace id back to the events (and messages) that trace wrote."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel import find_events
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ToolCall
from agentcore_memory_otel.trace_stamp import normalize_trace_id

from ..support import make_agent


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
