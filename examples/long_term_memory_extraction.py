"""Long-term memory end to end, offline: strategies extract records, a later session recalls them.

The AgentCore user guide's flow on the embedded server:

1. Create a memory with the three built-in strategies: user preferences, semantic facts and
   session summaries, each with its namespace template.
2. Talk. A writable AgentCoreMemoryStore sends the conversation to the session's events.
3. Wait for the strategies to extract records (ListMemoryRecords, bounded wait).
4. In a new session, the records are injected: by Strands' MemoryManager (<memory>) and by the
   session manager's retrieval_config (<user_context>).
"""

import sys
import time

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from strands import Agent
from strands.memory import MemoryManager
from strands.types.content import Messages

from agentcore_memory_otel import (
    AgentCoreMemoryConfig,
    AgentCoreMemorySessionManager,
    RetrievalConfig,
)
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.memory_store import create_agentcore_memory_stores
from agentcore_memory_otel.testing import ScriptedModel

ACTOR = "ada"
NAMESPACES = {
    "preferences": "/preferences/{actorId}",
    "facts": "/facts/{actorId}",
    "summaries": "/summaries/{actorId}/{sessionId}",
}
WAIT_SECONDS = 30

# The application's tracing: spans batched into a JSON-lines file (in production, OTLP to
# your collector). Strands uses the global provider; every stored event carries a trace id.
SPANS = "extraction-spans.jsonl"
spans_file = open(SPANS, "w", encoding="utf-8")  # noqa: SIM115 - open until the provider ends
provider = TracerProvider()
provider.add_span_processor(
    BatchSpanProcessor(
        ConsoleSpanExporter(out=spans_file, formatter=lambda span: span.to_json(indent=None) + "\n")
    )
)
trace.set_tracer_provider(provider)

with LocalMemoryServer() as server:
    control = server.client("bedrock-agentcore-control")
    memory = control.create_memory(
        name="travel_assistant",
        eventExpiryDuration=30,
        memoryStrategies=[
            {
                "userPreferenceMemoryStrategy": {
                    "name": "preferences",
                    "namespaceTemplates": [NAMESPACES["preferences"]],
                }
            },
            {
                "semanticMemoryStrategy": {
                    "name": "facts",
                    "namespaceTemplates": [NAMESPACES["facts"]],
                }
            },
            {
                "summaryMemoryStrategy": {
                    "name": "summaries",
                    "namespaceTemplates": [NAMESPACES["summaries"]],
                }
            },
        ],
    )["memory"]
    memory_id = memory["id"]
    print("strategies:", ", ".join(s["type"] for s in memory["strategies"]))

    # Session 1: talk. The writable store (the first namespace) sends each turn as an event.
    stores = create_agentcore_memory_stores(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id="monday",
        namespaces=[{"namespace": template, "name": name} for name, template in NAMESPACES.items()],
        extraction=True,
        endpoint_url=server.endpoint_url,
    )
    agent = Agent(
        model=ScriptedModel(
            ["Noted: sushi with tuna.", "Oslo, nice!", "I'll look for window seats."]
        ),
        memory_manager=MemoryManager(stores=stores, injection=False),
        callback_handler=None,
    )
    agent("I like sushi with tuna.")
    agent("I live in Oslo and work as a nurse.")
    agent("I always prefer a window seat when I fly.")

    # The strategies extract asynchronously: wait, within a bound, for records to appear.
    data = server.client()
    resolved = {
        name: template.replace("{actorId}", ACTOR).replace("{sessionId}", "monday")
        for name, template in NAMESPACES.items()
    }
    deadline = time.monotonic() + WAIT_SECONDS
    found: dict[str, list[str]] = {}
    while time.monotonic() < deadline:
        found = {
            name: [
                r["content"]["text"]
                for r in data.list_memory_records(memoryId=memory_id, namespace=namespace)[
                    "memoryRecordSummaries"
                ]
            ]
            for name, namespace in resolved.items()
        }
        if all(found.values()):
            break
        time.sleep(0.2)
    missing = [name for name, texts in found.items() if not texts]
    if missing:
        sys.exit(f"no records extracted within {WAIT_SECONDS} s for: {', '.join(missing)}")
    for name, texts in found.items():
        for text in texts:
            print(f"extracted into {resolved[name]}: {text}")

    # Session 2, another day: the records are recalled for the new conversation.
    recall = create_agentcore_memory_stores(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id="friday",
        namespaces=[
            {"namespace": NAMESPACES["preferences"], "name": "preferences"},
            {"namespace": NAMESPACES["facts"], "name": "facts"},
        ],
        endpoint_url=server.endpoint_url,
    )
    seen: list[str] = []

    def reply(messages: Messages) -> str:
        """The scripted model's answer; it notes the memory block the model was shown."""
        seen.extend(
            b["text"].strip() for b in messages[-1]["content"] if "<memory>" in b.get("text", "")
        )
        return "How about a tuna sushi place near you?"

    Agent(
        model=ScriptedModel(reply),
        memory_manager=MemoryManager(stores=recall),
        callback_handler=None,
    )("Any sushi recommendations for tonight?")
    print("memory manager injected:", seen[-1] if seen else "nothing")

    config = AgentCoreMemoryConfig(
        memory_id=memory_id,
        session_id="friday-2",
        actor_id=ACTOR,
        retrieval_config={
            NAMESPACES["preferences"]: RetrievalConfig(top_k=3, relevance_score=0.0),
            NAMESPACES["facts"]: RetrievalConfig(top_k=3, relevance_score=0.0),
        },
    )
    with AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as sessions:
        later = Agent(
            model=ScriptedModel(["Tuna sushi it is."]),
            session_manager=sessions,
            callback_handler=None,
        )
        later("Any sushi recommendations for tonight?")
        print("session manager injected:", later.messages[0]["content"][0]["text"])
    monday = data.list_events(memoryId=memory_id, actorId=ACTOR, sessionId="monday")["events"]
    print("trace id of monday's newest event:", monday[0]["metadata"]["traceId"]["stringValue"])

provider.shutdown()  # flushes the batch into the file
spans_file.close()
print("spans written to", SPANS)
