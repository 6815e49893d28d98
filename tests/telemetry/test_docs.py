"""docs/telemetry.md and docs/correlation.md: every name documented, every snippet run."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel import AgentCoreMemoryConfig
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.telemetry import names
from agentcore_memory_otel.telemetry.operations import OPERATIONS, MemoryOperation

from ..support import make_agent
from .conftest import PROVIDER

DOCS = Path(__file__).parents[2] / "docs"
TELEMETRY = DOCS / "telemetry.md"
CORRELATION = DOCS / "correlation.md"
LEVELS = {
    names.Requirement.REQUIRED: "required",
    names.Requirement.CONDITIONALLY_REQUIRED: "conditionally required",
    names.Requirement.RECOMMENDED: "recommended",
    names.Requirement.OPT_IN: "opt-in",
    names.Requirement.CUSTOM: "custom",
}
KINDS = {
    names.InstrumentKind.HISTOGRAM: "histogram",
    names.InstrumentKind.COUNTER: "counter",
    names.InstrumentKind.UP_DOWN_COUNTER: "up-down counter",
}


def _table_rows(text: str) -> dict[str, list[str]]:
    """First-column code name -> the other cells, for every markdown table row."""
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`([^`]+)`", cells[0]) if line.startswith("|") else None
        if match:
            rows[match.group(1)] = cells[1:]
    return rows


def test_every_span_attribute_is_documented_with_its_requirement_level() -> None:
    rows = _table_rows(TELEMETRY.read_text(encoding="utf-8"))
    for name, level in names.SPAN_ATTRIBUTES.items():
        assert name in rows, f"docs/telemetry.md does not document {name}"
        assert rows[name][0] == LEVELS[level], name


def test_every_metric_span_name_and_operation_is_documented() -> None:
    text = TELEMETRY.read_text(encoding="utf-8")
    rows = _table_rows(text)
    for metric in names.METRICS:
        assert metric.name in rows, f"docs/telemetry.md does not document {metric.name}"
    for operation in MemoryOperation:
        assert f"`{operation.value}`" in text
    for api_operation in OPERATIONS:
        assert api_operation in text
    for attribute in (names.SESSION_ID, names.USER_ID):
        assert attribute in rows


def test_every_metric_is_documented_with_its_type_and_unit() -> None:
    rows = _table_rows(TELEMETRY.read_text(encoding="utf-8"))
    for metric in names.METRICS:
        kind, unit = rows[metric.name][:2]
        assert kind.split(" (")[0] == KINDS[metric.kind], metric.name
        assert unit == metric.unit, metric.name


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL)


@pytest.fixture
def conversation(
    traced_manager: Any,
    spans: InMemorySpanExporter,
    server: LocalMemoryServer,
    memory_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """One stored turn, and the names the docs' snippets use; boto3 finds the local server."""
    for variable, value in {
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE": server.endpoint_url,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }.items():
        monkeypatch.setenv(variable, value)
    make_agent(traced_manager(session_id="chat-1", actor_id="user-42"), ["hello"])("hi")
    (invoke,) = [s for s in spans.get_finished_spans() if s.name.startswith("invoke_agent")]
    return {
        "memory_id": memory_id,
        "trace_id": format(invoke.context.trace_id, "032x"),
        "actor_id": "user-42",
        "session_id": "chat-1",
    }


def test_the_correlation_snippets_run(
    conversation: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # The first two; the lineage, activity and feedback ones run in tests/activity/test_docs.py.
    blocks = _python_blocks(CORRELATION)[:2]
    assert len(blocks) == 2
    for block in blocks:
        exec(compile(block, str(CORRELATION), "exec"), dict(conversation))
    out = capsys.readouterr().out
    trace_id = conversation["trace_id"]
    assert out.count(" chat-1 user-42 ") == 2  # find_events: the user's and the reply's events
    assert "'ListEvents'" in out
    assert f"{trace_id} 1-{trace_id[:8]}-{trace_id[8:]}" in out  # list_events, both forms


class _OtlpSink(BaseHTTPRequestHandler):
    """Accepts OTLP/HTTP exports and remembers their paths."""

    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def test_the_telemetry_snippets_run(
    conversation: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sink = HTTPServer(("127.0.0.1", 0), _OtlpSink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{sink.server_port}")
    config = AgentCoreMemoryConfig(
        memory_id=conversation["memory_id"], session_id="docs", actor_id="docs"
    )
    meter_provider = MeterProvider()
    blocks = _python_blocks(TELEMETRY)
    assert len(blocks) == 2
    namespace: dict[str, Any] = {**conversation, "config": config, "meter_provider": meter_provider}
    setup, stamp = blocks
    exec(compile(setup, str(TELEMETRY), "exec"), namespace)
    namespace["memory"].close()
    namespace["tracer_provider"].shutdown()
    meter_provider.shutdown()
    sink.shutdown()
    assert _OtlpSink.received == ["/v1/traces"]  # the manager's first ListEvents span
    exec(compile(stamp, str(TELEMETRY), "exec"), namespace)
    assert namespace["config"].metadata_provider is not None
    assert PROVIDER is not namespace["tracer_provider"]
