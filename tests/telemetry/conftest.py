"""Fixtures for telemetry tests: the real OpenTelemetry SDK with in-memory exporter and reader.

Strands reads the global tracer provider, so the tests (never the library) install one SDK
provider globally, once, and clear its exporter before each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import EXPORTER, PROVIDER, RETRIES, install_global_provider

__all__ = ["EXPORTER", "PROVIDER"]


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    install_global_provider()
    EXPORTER.clear()
    yield EXPORTER
    EXPORTER.clear()


@pytest.fixture
def reader() -> InMemoryMetricReader:
    return InMemoryMetricReader()


@pytest.fixture
def traced_manager(
    server: LocalMemoryServer,
    memory_id: str,
    spans: InMemorySpanExporter,
    reader: InMemoryMetricReader,
) -> Iterator[Any]:
    made: list[AgentCoreMemorySessionManager] = []
    meter_provider = MeterProvider(metric_readers=[reader])

    def build(**overrides: Any) -> AgentCoreMemorySessionManager:
        fields: dict[str, Any] = {
            "memory_id": memory_id,
            "session_id": "traced",
            "actor_id": "user-1",
            "create_event_rate": None,  # the local server sets no quota; pacing has its own tests
        }
        fields.update(overrides)
        manager = AgentCoreMemorySessionManager(
            AgentCoreMemoryConfig(**fields),
            endpoint_url=server.endpoint_url,
            tracer_provider=PROVIDER,
            meter_provider=meter_provider,
            boto_client_config=RETRIES,
        )
        made.append(manager)
        return manager

    yield build
    for manager in made:
        manager.close()
    meter_provider.shutdown()


def memory_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [
        s
        for s in exporter.get_finished_spans()
        if s.instrumentation_scope and s.instrumentation_scope.name == "agentcore_memory_otel"
    ]
