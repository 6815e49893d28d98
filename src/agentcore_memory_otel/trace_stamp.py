"""The trace stamp: the active OpenTelemetry span's W3C ids, as event metadata.

``trace_metadata_provider`` works as a ``metadata_provider`` for any session manager that
accepts one, including the bedrock-agentcore SDK's.
"""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.trace import SpanContext

DEFAULT_TRACE_ID_KEY = "traceId"
DEFAULT_SPAN_ID_KEY = "spanId"


@dataclass(frozen=True)
class TraceStamp:
    """The ids of the span that was active when some data was produced."""

    trace_id: str
    span_id: str
    span_context: SpanContext

    def metadata(self, trace_id_key: str, span_id_key: str) -> dict[str, dict[str, str]]:
        """The stamp as event metadata under the given keys."""
        return {
            trace_id_key: {"stringValue": self.trace_id},
            span_id_key: {"stringValue": self.span_id},
        }


def current_stamp() -> TraceStamp | None:
    """The active span's ids, or ``None`` when no valid span is active."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return TraceStamp(
        trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id), context
    )


def trace_metadata_provider(
    trace_id_key: str = DEFAULT_TRACE_ID_KEY, span_id_key: str = DEFAULT_SPAN_ID_KEY
) -> dict[str, str]:
    """``{traceId: 32 hex, spanId: 16 hex}`` of the active span; ``{}`` when there is none."""
    stamp = current_stamp()
    if stamp is None:
        return {}
    return {trace_id_key: stamp.trace_id, span_id_key: stamp.span_id}
