"""``InstrumentedMemoryApi``: ``MemoryApi`` with a CLIENT span and metrics around each call.

The span is current while botocore runs, with OpenTelemetry's suppression key set, so
``opentelemetry-instrumentation-botocore`` (and HTTP instrumentations) do not add a second
span for the same call. Message content goes on spans only when
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import ClientError
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode, TracerProvider

from .. import __version__
from ..api import MemoryApi
from ..writer import PendingRecord, PlannedEvent
from . import names
from .instruments import Instruments
from .savings import avoided_by_event, avoided_by_superseded

_THROTTLE_CODES = frozenset({"ThrottledException", "ThrottlingException", "Throttling"})


def capture_content() -> bool:
    """Whether message content may go on spans (opt-in through the GenAI env variable)."""
    return os.environ.get(names.CAPTURE_CONTENT_ENV, "").strip().lower() == "true"


class InstrumentedMemoryApi(MemoryApi):
    """Traces and measures every AgentCore Memory call.

    Args:
        client: The boto3 ``bedrock-agentcore`` client.
        tracer_provider: Where spans go; the global provider when ``None``.
        meter_provider: Where metrics go; the global provider when ``None``.
    """

    def __init__(
        self,
        client: Any,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        super().__init__(client)
        self._tracer = trace.get_tracer(names.INSTRUMENTATION_NAME, __version__, tracer_provider)
        self.instruments = Instruments(meter_provider)
        endpoint = urlparse(client.meta.endpoint_url)
        self._static: dict[str, Any] = {
            names.RPC_SYSTEM: names.RPC_SYSTEM_AWS,
            names.RPC_SERVICE: names.RPC_SERVICE_AGENTCORE,
            names.GEN_AI_PROVIDER_NAME: names.PROVIDER,
            names.CLOUD_REGION: client.meta.region_name or "",
            names.SERVER_ADDRESS: endpoint.hostname or "",
        }
        if endpoint.port:
            self._static[names.SERVER_PORT] = endpoint.port
        client.meta.events.register("needs-retry.bedrock-agentcore", self._count_throttle)

    # --- what the session manager reports ----------------------------------------------------

    def record_avoided(self, reason: str, memory_id: str, count: int = 1) -> None:
        """Count naive calls avoided for ``reason``."""
        self.instruments.avoided.add(
            count, {names.REASON: reason, names.GEN_AI_MEMORY_STORE_ID: memory_id}
        )

    def record_superseded(self, record: PendingRecord, memory_id: str) -> None:
        """Count a buffered record replaced before it was written."""
        self.record_avoided(avoided_by_superseded(record), memory_id)

    def record_buffered(self, delta: int, memory_id: str) -> None:
        """Track messages entering (+) and leaving (-) the buffer."""
        self.instruments.buffered.add(delta, {names.GEN_AI_MEMORY_STORE_ID: memory_id})

    def record_invocation(self, memory_id: str) -> None:
        """Count one finished agent invocation."""
        self.instruments.invocations.add(1, {names.GEN_AI_MEMORY_STORE_ID: memory_id})

    # --- the wrapped call --------------------------------------------------------------------

    def call(
        self, operation: str, request: dict[str, Any], *, event: PlannedEvent | None = None
    ) -> dict[str, Any]:
        """Perform ``operation`` inside a CLIENT span, recording metrics."""
        memory_id = str(request.get("memoryId", ""))
        operation_name = names.OPERATION_NAMES.get(operation, operation)
        attributes = {
            **self._static,
            names.RPC_METHOD: operation,
            names.GEN_AI_OPERATION_NAME: operation_name,
            names.GEN_AI_MEMORY_STORE_ID: memory_id,
        }
        if "sessionId" in request:
            attributes[names.GEN_AI_CONVERSATION_ID] = request["sessionId"]
        if "actorId" in request:
            attributes[names.ACTOR_ID] = request["actorId"]
        links = self._links(event)
        metric_attributes = {names.OPERATION: operation, names.GEN_AI_MEMORY_STORE_ID: memory_id}
        started = time.perf_counter()
        with self._tracer.start_as_current_span(
            f"{operation_name} {memory_id}",
            kind=SpanKind.CLIENT,
            attributes=attributes,
            links=links,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            self._before(span, operation, request, event)
            token = otel_context.attach(
                otel_context.set_value(otel_context._SUPPRESS_INSTRUMENTATION_KEY, True)
            )
            try:
                response = super().call(operation, request)
            except Exception as exc:
                error_type = _error_type(exc)
                span.set_attribute(names.ERROR_TYPE, error_type)
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                span.record_exception(exc)
                retries = _retries(getattr(exc, "response", None))
                self._measure(metric_attributes, started, "error", error_type, retries)
                span.set_attribute(names.RETRY_COUNT, retries)
                raise
            finally:
                otel_context.detach(token)
            retries = _retries(response)
            span.set_attribute(names.RETRY_COUNT, retries)
            request_id = response.get("ResponseMetadata", {}).get("RequestId")
            if request_id:
                span.set_attribute(names.AWS_REQUEST_ID, request_id)
            self._after(span, operation, response, event, memory_id)
            self._measure(metric_attributes, started, "success", None, retries)
            return response

    def _links(self, event: PlannedEvent | None) -> list[Link]:
        """Links to the spans that produced a write, when they are not in the current trace."""
        if event is None:
            return []
        current = trace.get_current_span().get_span_context()
        return [
            Link(context)
            for context in event.links
            if not current.is_valid or context.trace_id != current.trace_id
        ]

    def _before(
        self, span: Span, operation: str, request: dict[str, Any], event: PlannedEvent | None
    ) -> None:
        if event is not None:
            span.set_attribute(names.MESSAGE_COUNT, event.message_count)
            span.set_attribute(names.PAYLOAD_BYTES, event.payload_bytes)
            span.set_attribute(names.AGENT_STATE_INCLUDED, event.carries_agent)
            span.set_attribute(names.SESSION_RECORD_INCLUDED, event.carries_session)
            span.set_attribute(names.GEN_AI_MEMORY_RECORD_COUNT, len(request["payload"]))
        if not capture_content():
            return
        if operation == "CreateEvent":
            span.set_attribute(names.GEN_AI_MEMORY_RECORDS, json.dumps(request["payload"]))
        elif operation == "RetrieveMemoryRecords":
            span.set_attribute(
                names.GEN_AI_MEMORY_QUERY_TEXT, request["searchCriteria"]["searchQuery"]
            )

    def _after(
        self,
        span: Span,
        operation: str,
        response: dict[str, Any],
        event: PlannedEvent | None,
        memory_id: str,
    ) -> None:
        if operation == "CreateEvent":
            event_id = response.get("event", {}).get("eventId", "")
            span.set_attribute(names.GEN_AI_MEMORY_RECORD_ID, event_id)
            span.set_attribute(names.EVENT_IDS, [event_id])
            if event is not None:
                store = {names.GEN_AI_MEMORY_STORE_ID: memory_id}
                self.instruments.event_messages.record(event.message_count, store)
                self.instruments.payload_size.record(event.payload_bytes, store)
                self.record_buffered(-event.message_count, memory_id)
                for reason, count in avoided_by_event(event).items():
                    self.record_avoided(reason, memory_id, count)
        elif operation == "ListEvents":
            events = response.get("events", [])
            span.set_attribute(names.GEN_AI_MEMORY_RECORD_COUNT, len(events))
            span.set_attribute(names.NEXT_PAGE, bool(response.get("nextToken")))
        elif operation == "RetrieveMemoryRecords":
            records = response.get("memoryRecordSummaries", [])
            span.set_attribute(names.GEN_AI_MEMORY_RECORD_COUNT, len(records))
        elif operation == "DeleteEvent":
            span.set_attribute(names.GEN_AI_MEMORY_RECORD_ID, response.get("eventId", ""))

    def _measure(
        self,
        attributes: dict[str, Any],
        started: float,
        outcome: str,
        error_type: str | None,
        retries: int,
    ) -> None:
        attributes = {**attributes, names.OUTCOME: outcome}
        if error_type is not None:
            attributes[names.ERROR_TYPE] = error_type
        self.instruments.duration.record(time.perf_counter() - started, attributes)
        self.instruments.calls.add(1, attributes)
        if retries:
            self.instruments.retries.add(
                retries,
                {
                    names.OPERATION: attributes[names.OPERATION],
                    names.GEN_AI_MEMORY_STORE_ID: attributes[names.GEN_AI_MEMORY_STORE_ID],
                },
            )

    def _count_throttle(self, response: Any = None, operation: Any = None, **_: Any) -> None:
        """Botocore ``needs-retry`` hook: count each attempt answered with a throttle."""
        if not response or len(response) < 2 or not isinstance(response[1], dict):
            return
        code = response[1].get("Error", {}).get("Code")
        if code in _THROTTLE_CODES:
            self.instruments.throttles.add(
                1, {names.OPERATION: getattr(operation, "name", "unknown")}
            )


def _error_type(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or type(exc).__name__)
    return type(exc).__name__


def _retries(response: Any) -> int:
    if not isinstance(response, dict):
        return 0
    return int(response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0)
