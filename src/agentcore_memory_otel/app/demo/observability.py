"""The demo's OpenTelemetry setup: what an application does, and a library must not.

Traces go to ``OTEL_EXPORTER_OTLP_ENDPOINT`` over OTLP/HTTP when it is set, and are always
kept in memory for the summary (and printed compactly, per turn, when no endpoint is set).
Metrics go to a Prometheus scrape endpoint and to an in-memory reader for the summary.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


@dataclass
class Observability:
    """Providers and the in-memory copies the summary reads."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    otlp_endpoint: str | None
    metrics_url: str | None

    def finished_spans(self) -> list[ReadableSpan]:
        """Every span ended so far."""
        return list(self.spans.get_finished_spans())

    def shutdown(self) -> None:
        """Flush the exporters (the tracer provider stays usable: it may be global)."""
        self.tracer_provider.force_flush()
        self.meter_provider.shutdown()


def set_up(metrics_port: int, metrics_host: str = "127.0.0.1") -> Observability:
    """Install the demo's providers globally (Strands reads the global tracer provider)."""
    resource = Resource.create({"service.name": "agentcore-memory-otel-demo"})
    current = trace.get_tracer_provider()
    # Reuse an SDK provider someone already installed (e.g. opentelemetry-instrument):
    # the global provider can only be set once.
    tracer_provider = (
        current if isinstance(current, TracerProvider) else TracerProvider(resource=resource)
    )
    spans = InMemorySpanExporter()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    if endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    if tracer_provider is not current:
        trace.set_tracer_provider(tracer_provider)

    memory_reader = InMemoryMetricReader()
    readers: list[MetricReader] = [memory_reader]
    metrics_url = None
    if metrics_port:
        from opentelemetry.exporter.prometheus import PrometheusMetricReader
        from prometheus_client import start_http_server

        try:
            start_http_server(metrics_port, addr=metrics_host)
        except OSError as exc:  # the port is taken: run on, without the scrape endpoint
            print(f"      metrics not served: port {metrics_port} is unavailable ({exc})")
        else:
            readers.append(PrometheusMetricReader())
            metrics_url = f"http://{metrics_host}:{metrics_port}/metrics"
    meter_provider = MeterProvider(metric_readers=readers, resource=resource)
    return Observability(
        tracer_provider, meter_provider, spans, memory_reader, endpoint, metrics_url
    )
