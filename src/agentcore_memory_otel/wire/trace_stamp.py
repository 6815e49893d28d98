"""The trace stamp: the active OpenTelemetry span's W3C ids, as event metadata.

``trace_metadata_provider`` works as a ``metadata_provider`` for any session manager that
accepts one, including the bedrock-agentcore SDK's.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.trace import NoOpTracerProvider, ProxyTracerProvider, SpanContext

logger = logging.getLogger(__name__)

DEFAULT_TRACE_ID_KEY = "traceId"
DEFAULT_SPAN_ID_KEY = "spanId"

# The X-Ray form: version 1, 8 hex digits of epoch seconds, then 24 hex digits.
_XRAY_TRACE_ID = re.compile(r"1-([0-9a-f]{8})-([0-9a-f]{24})")
_HEX_TRACE_ID = re.compile(r"[0-9a-f]{32}")

TRACE_ID_FORMS = (
    "32 hex digits (4bf92f3577b34da6a3ce929d0e0e4736, as Jaeger, Phoenix and Langfuse show it), "
    "optionally with dashes or a 0x prefix, or the AWS X-Ray form "
    "(1-5759e988-bd862e3fe1be46a994272793, as X-Ray and CloudWatch show it)"
)


def normalize_trace_id(text: str) -> str:
    """A trace id in any common form, as the 32 lowercase hex digits stored in events.

    Accepts 32 hex digits in either case, with dashes (UUID style) or a ``0x`` prefix, and
    the AWS X-Ray form ``1-{8 hex}-{24 hex}``, whose digits joined are the W3C id.

    Raises:
        ValueError: ``text`` is none of these; the message lists the accepted forms.
    """
    candidate = text.strip().lower()
    xray = _XRAY_TRACE_ID.fullmatch(candidate)
    if xray is not None:
        return xray.group(1) + xray.group(2)
    if candidate.startswith("0x"):
        candidate = candidate[2:]
    candidate = candidate.replace("-", "")
    if _HEX_TRACE_ID.fullmatch(candidate):
        return candidate
    raise ValueError(f"not a trace id: {text!r}; give {TRACE_ID_FORMS}")


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


NO_TRACER_PROVIDER_WARNING = (
    "agentcore_memory_otel: trace stamping is on, but no OpenTelemetry tracer provider is set, "
    "so events are stored without traceId/spanId. Set one in your application, e.g. "
    "opentelemetry.trace.set_tracer_provider(opentelemetry.sdk.trace.TracerProvider()), "
    "or turn stamping off with AgentCoreMemoryConfig(trace_metadata=False)."
)
_warned_no_tracer_provider = False


def _warn_once_without_tracer_provider() -> None:
    """Log ``NO_TRACER_PROVIDER_WARNING`` once per process if no span can ever be recorded.

    Strands starts its spans on the global tracer provider; while that is still the API's
    proxy (nothing set) or the no-op provider, no span is valid and no stamp is ever taken.
    """
    global _warned_no_tracer_provider
    if _warned_no_tracer_provider:
        return
    if isinstance(trace.get_tracer_provider(), (ProxyTracerProvider, NoOpTracerProvider)):
        _warned_no_tracer_provider = True
        logger.warning(NO_TRACER_PROVIDER_WARNING)


def current_stamp(*, for_stamping: bool = True) -> TraceStamp | None:
    """The active span's ids, or ``None`` when no valid span is active.

    ``for_stamping``: the ids are for an event's metadata, so a process where no span can
    ever be valid is warned about (``NO_TRACER_PROVIDER_WARNING``); False for the reads that
    only remember a trace in memory, which run with stamping off too.
    """
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        if for_stamping:
            _warn_once_without_tracer_provider()
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
