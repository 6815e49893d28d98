"""Exemplars on the operation-duration histogram lead from a slow call to its span.

Checked with the SDK's in-memory reader and the OTLP encoding (what an OTLP exporter sends);
the Prometheus exporter of opentelemetry-python writes no exemplars (see docs/telemetry.md).
"""

from __future__ import annotations

from typing import Any

from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel.telemetry import names

from ..support import make_agent
from ..telemetry.conftest import memory_spans


def test_each_call_leaves_an_exemplar_naming_its_span(
    traced_manager: Any, spans: InMemorySpanExporter, reader: InMemoryMetricReader
) -> None:
    manager = traced_manager()
    make_agent(manager, ["ok"])("hi")
    created = [
        s
        for s in memory_spans(spans)
        if (s.attributes or {}).get(names.RPC_METHOD) == "CreateEvent"
    ]
    assert created
    data = reader.get_metrics_data()
    assert data is not None
    (duration,) = [
        m
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
        if m.name == names.OPERATION_DURATION
    ]
    exemplars = {
        (e.trace_id, e.span_id)
        for point in duration.data.data_points
        if (point.attributes or {}).get(names.OPERATION) == "CreateEvent"
        for e in point.exemplars
    }
    # Every CreateEvent span is an exemplar of its own duration (the reservoir keeps the
    # newest per bucket; these few calls fall in distinct buckets or are the newest).
    spans_ids = {(s.context.trace_id, s.context.span_id) for s in created}
    assert exemplars and exemplars <= spans_ids
    # The OTLP encoding carries them: trace and span id bytes of the memory span.
    encoded = encode_metrics(data)
    otlp = [
        (bytes(e.trace_id), bytes(e.span_id))
        for rm in encoded.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
        if m.name == names.OPERATION_DURATION
        for p in m.histogram.data_points
        for e in p.exemplars
    ]
    assert {(t.hex(), s.hex()) for t, s in otlp} >= {
        (f"{t:032x}", f"{s:016x}") for t, s in exemplars
    }
