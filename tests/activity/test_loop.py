"""The whole loop offline: an agent call, a record the local server extracts from it, the
record back to its trace, the trace to everything it did to memory, and a fork just before a
trace that restores the conversation as it was."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel import (
    AgentCoreMemoryConfig,
    AgentCoreMemorySessionManager,
    RetrievalConfig,
    fork_session,
)
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.activity import record_sources, trace_activity, trace_records
from agentcore_memory_otel.telemetry.find import find_events

from ..support import RETRIES, make_agent

ACTOR = "user-7"
SESSION = "loop-1"
PREFERENCES = [
    {
        "userPreferenceMemoryStrategy": {
            "name": "prefs",
            "namespaceTemplates": ["/preferences/{actorId}"],
        }
    }
]


def _manager(
    server: LocalMemoryServer,
    memory_id: str,
    *,
    retrieval: bool,
    write_mode: Literal["sync", "background"] = "sync",
    branch: str = "main",
) -> AgentCoreMemorySessionManager:
    # The first call retrieves nothing: its own record may be extracted before its retrieval.
    namespaces = {"/preferences/{actorId}": RetrievalConfig(relevance_score=0.0)}
    return AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=memory_id,
            actor_id=ACTOR,
            session_id=SESSION,
            create_event_rate=None,
            retrieval_config=namespaces if retrieval else None,
            write_mode=write_mode,
            branch=branch,
        ),
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
    )


@pytest.mark.parametrize("write_mode", ["sync", "background"])
def test_agent_call_to_record_to_trace_to_activity(
    server: LocalMemoryServer,
    control: Any,
    spans: InMemorySpanExporter,
    write_mode: Literal["sync", "background"],
) -> None:
    memory_id = control.create_memory(
        name="loop", eventExpiryDuration=30, memoryStrategies=PREFERENCES
    )["memory"]["id"]
    client = server.client()
    with _manager(server, memory_id, retrieval=False, write_mode=write_mode) as manager:
        agent = make_agent(manager, ["Noted."])
        # 1. An agent call, in its own trace.
        first = agent("I like green tea.")
        manager.flush()
        taught = manager.last_trace_id
        assert taught is not None and manager.trace_id_of(first.message) == taught
        assert manager.trace_id_of(agent.messages[0]) == taught
        written = find_events(taught, memory_id=memory_id, client=client)
        assert [m["role"] for e in written for m in e.messages] == ["user", "assistant"]
        user_event = next(e for e in written if e.messages[0]["role"] == "user")

        # 2. The local server extracts a record from it.
        assert server.backend.extraction.wait_idle(10)
        (summary,) = client.list_memory_records(
            memoryId=memory_id, namespace=f"/preferences/{ACTOR}"
        )["memoryRecordSummaries"]
        record_id = summary["memoryRecordId"]

        # 3. From the record to its source events and trace.
        sources = record_sources(record_id, memory_id=memory_id, client=client)
        assert sources.lineage.trace_ids == (taught,)
        assert sources.lineage.actor_id == ACTOR and sources.lineage.session_id == SESSION
        assert [e.event_id for e in sources.events] == [user_event.event_id]
        assert sources.events[0].trace_id == taught
        assert sources.events[0].messages == user_event.messages
        assert user_event.messages[0]["content"] == [{"text": "I like green tea."}]

        # 4. From the trace to the records it taught.
        assert [r.record_id for r in trace_records(taught, memory_id=memory_id, client=client)] == [
            record_id
        ]

    # 5. A second call (a new manager, with retrieval) reads the record; its activity names it.
    with _manager(server, memory_id, retrieval=True, write_mode=write_mode) as manager:
        agent = make_agent(manager, ["Green tea, then."])
        second = agent("Which tea should I buy?")
        manager.flush()
        asked = manager.trace_id_of(second.message)
        assert asked is not None and asked != taught and manager.last_trace_id == asked
        assert server.backend.extraction.wait_idle(10)
        activity = trace_activity(asked, memory_id=memory_id, client=client)
        assert [(r.record_id, r.namespace) for r in activity.reads] == [
            (record_id, f"/preferences/{ACTOR}")
        ]
        assert activity.reads[0].score is not None
        assert [m["content"][0]["text"] for e in activity.events for m in e.messages] == [
            "Which tea should I buy?",
            "Green tea, then.",
        ]
        assert activity.records == [] and activity.superseded == []

        # 6. The first trace's activity: its writes and the record it taught, no reads.
        before = trace_activity(
            taught, memory_id=memory_id, actor_id=ACTOR, session_id=SESSION, client=client
        )
        assert [e.event_id for e in before.events] == [e.event_id for e in written]
        assert [r.record_id for r in before.records] == [record_id]
        assert before.reads == []

    # 7. A fork just before the second trace: the branch's root is the newest event before that
    #    trace's first, and a manager on the branch restores the first turn alone.
    session_events = client.list_events(
        memoryId=memory_id, actorId=ACTOR, sessionId=SESSION, includePayloads=False, maxResults=100
    )["events"][::-1]  # oldest first
    ids = [e["eventId"] for e in session_events]
    asked_first = find_events(asked, memory_id=memory_id, client=client)[0].event_id
    fork = fork_session(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id=SESSION,
        branch="retry-1",
        trace_id=asked,
        position="before",
        client=client,
    )
    assert fork.root_event_id == ids[ids.index(asked_first) - 1]
    assert fork.calls == {"ListEvents": 2, "CreateEvent": 1}
    with _manager(server, memory_id, retrieval=False, branch="retry-1") as manager:
        agent = make_agent(manager, [])
        assert [(m["role"], m["content"]) for m in agent.messages] == [
            ("user", [{"text": "I like green tea."}]),
            ("assistant", [{"text": "Noted."}]),
        ]
