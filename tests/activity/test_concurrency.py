"""Two agents of one session manager running at once: each reply keeps its own trace and reads."""

from __future__ import annotations

import threading
from typing import Any

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strands import Agent

from agentcore_memory_otel import RetrievalConfig
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.testing import ScriptedModel
from agentcore_memory_otel.wire.lineage import READS_KEY, parse_reads

from ..support import seed_records


def test_parallel_agents_keep_their_own_traces_and_reads(
    server: LocalMemoryServer, memory_id: str, traced_manager: Any, spans: InMemorySpanExporter
) -> None:
    seed_records(server, memory_id, "/facts/user-1/tea", "green tea is liked")
    seed_records(server, memory_id, "/facts/user-1/bikes", "a red bicycle is owned")
    ids = {
        r["content"]["text"]: r["memoryRecordId"]
        for r in server.client().list_memory_records(memoryId=memory_id, namespacePath="/")[
            "memoryRecordSummaries"
        ]
    }
    manager = traced_manager(
        retrieval_config={
            "/facts/{actorId}/tea": RetrievalConfig(relevance_score=0.01),
            "/facts/{actorId}/bikes": RetrievalConfig(relevance_score=0.01),
        }
    )
    barrier = threading.Barrier(2)

    def reply(text: str) -> Any:
        def answer(messages: Any) -> str:
            barrier.wait(10)  # both agents are inside their calls at once
            return text

        return answer

    agents = {
        question: Agent(
            agent_id=agent_id,
            model=ScriptedModel(reply(f"answer to {question}")),
            session_manager=manager,
            callback_handler=None,
        )
        for agent_id, question in (("tea", "green tea"), ("bikes", "red bicycle"))
    }
    results: dict[str, Any] = {}
    threads = [
        threading.Thread(target=lambda q=q, a=a: results.__setitem__(q, a(q)))
        for q, a in agents.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    manager.flush()
    traces = {q: manager.trace_id_of(results[q].message) for q in agents}
    assert None not in traces.values() and len(set(traces.values())) == 2
    events = server.client().list_events(
        memoryId=memory_id, actorId="user-1", sessionId="traced", maxResults=100
    )["events"]
    for question, trace_id in traces.items():
        (named,) = [
            e for e in events
            if READS_KEY in (e.get("metadata") or {})
            and e["metadata"]["traceId"]["stringValue"] == trace_id
        ]  # fmt: skip
        read_ids = [r for r, _ in parse_reads(named["metadata"][READS_KEY]["stringValue"])]
        expected = (
            ids["green tea is liked"] if question == "green tea" else ids["a red bicycle is owned"]
        )
        assert read_ids[0] == expected
