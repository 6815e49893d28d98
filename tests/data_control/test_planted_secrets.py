"""Done-when of issue 28, items 1: planted personal data and secrets never leave the process.

One conversation full of secrets is stored through every path (sync, background, the journal,
the memory store, a Graph), with content capture on. Then the journal file, the local
server's SQLite files (raw bytes), every span and every metric point are scanned: none holds
a planted value, each holds the placeholders (so the scan reads content in clear), and the
restored agent holds the placeholders too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from strands import Agent, tool

from agentcore_memory_otel import (
    AgentCoreMemoryConfig,
    AgentCoreMemorySessionManager,
    AgentCoreMemoryStore,
    RetrievalConfig,
    redact_common,
)
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.telemetry import names
from agentcore_memory_otel.testing import ScriptedModel, ToolCall

from ..session.multi_agent_scenarios import graph
from ..support import ACTOR, RETRIES, remember, stored_events

EMAIL = "jane.doe@example.com"
PHONE = "+1 (555) 010-4477"
CARD = "4111 1111 1111 1111"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
TOKEN = "sk_live_abcdefghijklmnopqrstuvwx"
PLANTED = {
    "email": EMAIL,
    "phone": "010-4477",
    "card": CARD,
    "card digits": CARD.replace(" ", ""),
    "aws key": AWS_KEY,
    "token": TOKEN,
}
"""What must appear nowhere (the phone by its tail, which no placeholder text holds)."""
PLACEHOLDERS = ("[EMAIL]", "[PHONE]", "[CARD]", "[AWS_ACCESS_KEY]", "[TOKEN]")
USER_TEXT = f"I am {EMAIL}, call {PHONE}, card {CARD}. Authorization: Bearer {TOKEN}"


@tool
def lookup_customer(email: str) -> str:
    """Find a customer by e-mail."""
    return f"customer {email}: phone {PHONE}, card {CARD}, key {AWS_KEY}"


def _script() -> list[Any]:
    return [
        ToolCall("lookup_customer", {"email": EMAIL, "nested": {"card": CARD}}),
        ToolCall("remember", {"fact": f"reach {EMAIL} at {PHONE}"}),
        f"Your key {AWS_KEY} and card {CARD} are on file.",
    ]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "memory.db"


@pytest.fixture
def server(db_path: Path) -> Iterator[LocalMemoryServer]:
    """The local server on a database file, so its raw bytes can be scanned."""
    with LocalMemoryServer(db_path) as running:
        yield running


@pytest.fixture(autouse=True)
def capture_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(names.CAPTURE_CONTENT_ENV, "true")


class Telemetry:
    """Our own providers (never global) with in-memory exporter and reader."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def span_text(self) -> str:
        return "\n".join(span.to_json() for span in self.spans.get_finished_spans())

    def metric_text(self) -> str:
        data = self.reader.get_metrics_data()
        return data.to_json() if data is not None else ""


def _manager(
    server: LocalMemoryServer, memory_id: str, telemetry: Telemetry, **fields: Any
) -> AgentCoreMemorySessionManager:
    config = AgentCoreMemoryConfig(
        memory_id=memory_id,
        actor_id=ACTOR,
        create_event_rate=None,
        content_filter=redact_common,
        **fields,
    )
    return AgentCoreMemorySessionManager(
        config,
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
        tracer_provider=telemetry.tracer_provider,
        meter_provider=telemetry.meter_provider,
    )


def _agent(manager: AgentCoreMemorySessionManager, script: Any = ()) -> Agent:
    return Agent(
        model=ScriptedModel(list(script)),
        session_manager=manager,
        tools=[lookup_customer, remember],
        callback_handler=None,
    )


def _leaks(text: str) -> list[str]:
    return [name for name, value in PLANTED.items() if value in text]


def _file_bytes(*paths: Path) -> str:
    """The raw bytes of SQLite files (with their -wal and -journal), decoded leniently."""
    raw = b""
    for path in paths:
        for found in sorted(path.parent.glob(path.name + "*")):
            raw += found.read_bytes()
    return raw.decode("utf-8", "replace")


def _converse(manager: AgentCoreMemorySessionManager) -> Agent:
    agent = _agent(manager, _script())
    agent.state.set("contact", {"email": EMAIL, "cards": [CARD]})
    agent(USER_TEXT)
    return agent


def test_no_planted_value_reaches_journal_database_spans_or_metrics(
    server: LocalMemoryServer, memory_id: str, db_path: Path, tmp_path: Path
) -> None:
    telemetry = Telemetry()
    journal = tmp_path / "journal.db"

    # Sync, with long-term retrieval (the search query carries the user's words).
    with _manager(
        server,
        memory_id,
        telemetry,
        session_id="sync",
        retrieval_config={"/facts/{actorId}": RetrievalConfig(top_k=3)},
    ) as manager:
        _converse(manager)

    # Background, with the journal: the journal is scanned while CreateEvent is failing, so
    # the turn's entries are in it, unacknowledged.
    server.faults.fail_next("CreateEvent", 1000)
    manager = _manager(
        server,
        memory_id,
        telemetry,
        session_id="journal",
        write_mode="background",
        journal_path=journal,
    )
    _converse(manager)
    assert manager.pending_message_count() > 0
    journal_text = _file_bytes(journal)
    assert "[EMAIL]" in journal_text and "[CARD]" in journal_text
    assert _leaks(journal_text) == []
    server.faults.reset()
    manager.close(timeout=30)

    # The memory store: conversation events, a record, a search.
    store = AgentCoreMemoryStore(
        memory_id=memory_id,
        actor_id=ACTOR,
        session_id="store",
        namespace="/facts/{actorId}",
        writable=True,
        endpoint_url=server.endpoint_url,
        boto_client_config=RETRIES,
        tracer_provider=telemetry.tracer_provider,
        meter_provider=telemetry.meter_provider,
        content_filter=redact_common,
    )
    asyncio.run(
        store.add_messages(
            [
                {"role": "user", "content": [{"text": USER_TEXT}]},
                {"role": "assistant", "content": [{"text": f"noted {AWS_KEY}"}]},
            ]
        )
    )
    asyncio.run(store.add(f"the user's card is {CARD}", {"kind": "contact"}))
    asyncio.run(store.search(f"what is the card of {EMAIL}?"))

    # A Graph: a task and node replies holding secrets.
    with _manager(server, memory_id, telemetry, session_id="graph") as manager:
        run = graph(manager, {"research": [f"found {EMAIL}"], "write": [f"token Bearer {TOKEN}"]})
        run.orchestrator(f"look up {PHONE} and {CARD}")

    # The restored agent holds the placeholders, in its messages and its state.
    for session in ("sync", "journal"):
        with _manager(server, memory_id, telemetry, session_id=session) as manager:
            restored = _agent(manager)
            text = json.dumps(restored.messages) + json.dumps(restored.state.get())
            assert _leaks(text) == []
            for placeholder in PLACEHOLDERS:
                assert placeholder in text, (session, placeholder)
    # A finished Graph restarts from its task when restored: its stored checkpoint is read.
    checkpoints = [
        item["blob"]
        for event in stored_events(server, memory_id, session="graph")
        for item in event["payload"]
        if "multi_agent_id" in item.get("blob", "")
    ]
    assert checkpoints and all(_leaks(blob) == [] for blob in checkpoints)
    assert "[EMAIL]" in checkpoints[-1] and "[PHONE]" in checkpoints[-1]

    spans, metrics = telemetry.span_text(), telemetry.metric_text()
    assert "[EMAIL]" in spans and "[TOKEN]" in spans  # content capture is on
    assert _leaks(spans) == []
    assert metrics and _leaks(metrics) == []
    server.stop()
    database = _file_bytes(db_path)
    assert "[EMAIL]" in database and "[AWS_ACCESS_KEY]" in database
    assert _leaks(database) == []
    assert _leaks(_file_bytes(journal)) == []
