"""The demo's OpenTelemetry setup: what an application does, and a library must not.

Traces go to ``OTEL_EXPORTER_OTLP_ENDPOINT`` over OTLP/HTTP when it is set, and are always
kept in memory for the summary (and printed compactly, per turn, when no endpoint is set or
once an export to it has failed: each turn's spans are exported as the turn ends, so the
first failure is reported at the turn that met it).
Metrics go to a Prometheus scrape endpoint and to an in-memory reader for the summary.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

# Seconds to wait for a TCP connection to the OTLP endpoint before the run: a dead endpoint is
# reported at once, instead of costing the exporter's retries (10 s per batch by default).
OTLP_CONNECT_SECONDS = 1.0


def _listening(url: str) -> bool:
    """Whether something accepts TCP connections at ``url``'s host and port."""
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "", port), OTLP_CONNECT_SECONDS):
            return True
    except OSError:
        return False


class CheckedExporter(SpanExporter):
    """Counts what an exporter really delivered, so the demo reports only what is true.

    Args:
        inner: The exporter that sends the spans; ``None`` when nothing listens at
            ``endpoint`` (every span is then counted as not sent).
        endpoint: Where it sends them, for the report.
    """

    def __init__(self, inner: SpanExporter | None, endpoint: str) -> None:
        self._inner = inner
        self.endpoint = endpoint
        self.exported = 0
        self.failed = 0
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Send ``spans`` and count the outcome."""
        result = SpanExportResult.FAILURE if self._inner is None else self._inner.export(spans)
        with self._lock:
            if result is SpanExportResult.SUCCESS:
                self.exported += len(spans)
            else:
                self.failed += len(spans)
        return result

    def shutdown(self) -> None:
        """Shut the inner exporter down."""
        if self._inner is not None:
            self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the inner exporter."""
        return self._inner is None or self._inner.force_flush(timeout_millis)

    @property
    def working(self) -> bool:
        """Whether every export so far was delivered (and something listens)."""
        return self._inner is not None and not self.failed

    def failure_note(self) -> str:
        """One line, for the moment an export first fails: what failed, and what happens now."""
        if self._inner is None:
            cause = f"nothing listens at {self.endpoint} (OTEL_EXPORTER_OTLP_ENDPOINT)"
        else:
            cause = f"the OTLP export to {self.endpoint} failed for {self.failed} span(s)"
        return f"      Traces NOT exported: {cause}; trace trees are printed here instead"

    def report(self) -> str:
        """One line: what was exported, or that the export failed and what to check."""
        if self._inner is None:
            return (
                f"Traces NOT exported: nothing listens at {self.endpoint} "
                "(OTEL_EXPORTER_OTLP_ENDPOINT); start a collector there, or unset it"
            )
        if self.failed:
            return (
                f"Traces NOT exported: the OTLP export to {self.endpoint} failed for "
                f"{self.failed} span(s) ({self.exported} delivered); check the collector's log"
            )
        return f"Traces exported over OTLP to {self.endpoint}: {self.exported} span(s)"


@dataclass
class Observability:
    """Providers and the in-memory copies the summary reads."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    otlp: CheckedExporter | None
    metrics_url: str | None

    @property
    def exporting(self) -> bool:
        """Whether traces go over OTLP, every export so far delivered.

        When not, the demo prints each turn's trace tree in the terminal instead.
        """
        return self.otlp is not None and self.otlp.working

    def export_now(self) -> None:
        """Send the spans ended so far, so a failed export shows at the turn that made it."""
        if self.exporting:
            self.tracer_provider.force_flush()

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
    otlp = None
    if endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        otlp = CheckedExporter(OTLPSpanExporter() if _listening(endpoint) else None, endpoint)
        tracer_provider.add_span_processor(BatchSpanProcessor(otlp))
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
    return Observability(tracer_provider, meter_provider, spans, memory_reader, otlp, metrics_url)
