"""``InstrumentedMemoryApi``: ``MemoryApi`` with a CLIENT span and metrics around each call.

The span is current while botocore runs, with OpenTelemetry's suppression key set, so
``opentelemetry-instrumentation-botocore`` (and HTTP instrumentations) do not add a second
span for the same call. Span names and attributes per operation come from
``operations.OPERATIONS``. Message content goes on spans only when
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``. A failing telemetry hook is
logged once and never fails the call (``guard.safely``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import ClientError
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.metrics import MeterProvider, NoOpMeterProvider
from opentelemetry.trace import (
    INVALID_SPAN,
    Link,
    Span,
    SpanKind,
    Status,
    StatusCode,
    TracerProvider,
)

from .._version import __version__
from ..client.api import MemoryApi, RecordFilter
from ..wire.planned import PlannedEvent
from . import names
from .guard import safely
from .instruments import Instruments
from .operations import OPERATIONS, MemoryOperation, OperationSpec, used_records
from .savings import avoided_by_event

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
        # A provider that fails even to hand out a tracer or instruments costs its telemetry,
        # never the session manager.
        self._tracer = (
            safely(
                "tracer",
                lambda: trace.get_tracer(names.INSTRUMENTATION_NAME, __version__, tracer_provider),
            )
            or trace.NoOpTracer()
        )
        self.instruments = safely(
            "metric instruments", lambda: Instruments.for_provider(meter_provider)
        ) or Instruments.for_provider(NoOpMeterProvider())
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
        client.meta.events.register("needs-retry.bedrock-agentcore", self._on_attempt)

    def close(self) -> None:
        """Unregister the botocore hook (for an API object made around someone else's client)."""
        self.client.meta.events.unregister("needs-retry.bedrock-agentcore", self._on_attempt)

    # --- lookups (find_events) ---------------------------------------------------------------

    @contextlib.contextmanager
    def lookup_span(
        self, memory_id: str, actor_id: str | None, session_id: str | None
    ) -> Iterator[Span]:
        """An INTERNAL ``search_memory`` span around a lookup made of several calls."""
        attributes: dict[str, Any] = {
            names.GEN_AI_OPERATION_NAME: MemoryOperation.SEARCH_MEMORY.value,
            names.GEN_AI_PROVIDER_NAME: names.PROVIDER,
            names.GEN_AI_MEMORY_STORE_ID: memory_id,
        }
        if actor_id is not None:
            attributes[names.ACTOR_ID] = actor_id
        if session_id is not None:
            attributes[names.GEN_AI_CONVERSATION_ID] = session_id
        span = safely(
            "lookup span start",
            lambda: self._tracer.start_span(
                MemoryOperation.SEARCH_MEMORY.value, kind=SpanKind.INTERNAL, attributes=attributes
            ),
        )
        span = span or INVALID_SPAN
        with trace.use_span(
            span, end_on_exit=False, record_exception=False, set_status_on_exception=False
        ):
            try:
                yield span
            except Exception as exc:
                safely("error attributes", partial(_record_failure, span, exc, 0))
                raise
            finally:
                safely("span end", span.end)

    def record_lookup(self, span: Span, records: int, calls: int, sessions: int) -> None:
        """Put a lookup's outcome on its span."""
        safely(
            "lookup attributes",
            lambda: span.set_attributes(
                {
                    names.GEN_AI_MEMORY_RECORD_COUNT: records,
                    names.LOOKUP_CALLS: calls,
                    names.LOOKUP_SESSIONS_SEARCHED: sessions,
                }
            ),
        )

    # --- the wrapped call --------------------------------------------------------------------

    def call(
        self,
        operation: str,
        request: dict[str, Any],
        *,
        event: PlannedEvent | None = None,
        used: RecordFilter | None = None,
    ) -> dict[str, Any]:
        """Perform ``operation`` inside a CLIENT span, recording metrics.

        With ``used``, the returned records it selects are named on the span
        (``used_records``). Telemetry never fails the call: every hook runs through ``safely``.
        """
        memory_id = str(request.get("memoryId", ""))
        spec = OPERATIONS.get(operation)
        span = self._start_span(operation, spec, memory_id, request, event)
        started = time.perf_counter()
        attempts = _Attempts(memory_id)
        response, failure = self._call_in_span(span, spec, operation, request, used, attempts)
        safely("span end", span.end)
        # Metrics are recorded once the span has ended; the duration in the span's context,
        # so a sampled call leaves an exemplar naming its trace and span (docs/telemetry.md).
        elapsed = time.perf_counter() - started
        error_type = _error_type(failure) if failure is not None else None
        safely(
            "call metrics",
            lambda: self._measure(
                operation, memory_id, elapsed, error_type, attempts.retries, span
            ),
        )
        if failure is not None:
            raise failure
        if event is not None:
            safely("event metrics", lambda: self._measure_event(event, memory_id))
        return response

    def _start_span(
        self,
        operation: str,
        spec: OperationSpec | None,
        memory_id: str,
        request: dict[str, Any],
        event: PlannedEvent | None,
    ) -> Span:
        """The call's CLIENT span, started; ``INVALID_SPAN`` when telemetry cannot start one."""
        attributes = safely(
            "request attributes",
            lambda: self._request_attributes(operation, spec, memory_id, request, event),
        ) or {**self._static, names.RPC_METHOD: operation}
        links = safely("span links", lambda: self._links(event)) or []
        span = safely(
            "span start",
            lambda: self._tracer.start_span(
                spec.name.value if spec else operation,
                kind=SpanKind.CLIENT,
                attributes=attributes,
                links=links,
            ),
        )
        return span or INVALID_SPAN

    def _call_in_span(
        self,
        span: Span,
        spec: OperationSpec | None,
        operation: str,
        request: dict[str, Any],
        used: RecordFilter | None,
        attempts: _Attempts,
    ) -> tuple[dict[str, Any], Exception | None]:
        """The call, with ``span`` current and instrumentation below it suppressed.

        Returns the response, or the failure (for the caller to raise once metrics are
        recorded); the span gets the response's or the failure's attributes.
        """
        failure: Exception | None = None
        response: dict[str, Any] = {}
        attempts_token = _ATTEMPTS.set(attempts)
        with trace.use_span(
            span, end_on_exit=False, record_exception=False, set_status_on_exception=False
        ):
            token = otel_context.attach(
                otel_context.set_value(otel_context._SUPPRESS_INSTRUMENTATION_KEY, True)
            )
            try:
                response = super().call(operation, request)
            except Exception as exc:
                failure = exc
                safely("error attributes", partial(_record_failure, span, exc, attempts.retries))
            else:
                safely(
                    "response attributes",
                    lambda: span.set_attributes(
                        {
                            **_response_attributes(spec, response),
                            **(used_records(response, used, capture_content()) if used else {}),
                            names.RETRY_COUNT: attempts.retries,
                        }
                    ),
                )
            finally:
                otel_context.detach(token)
                _ATTEMPTS.reset(attempts_token)
        return response, failure

    def _request_attributes(
        self,
        operation: str,
        spec: OperationSpec | None,
        memory_id: str,
        request: dict[str, Any],
        event: PlannedEvent | None,
    ) -> dict[str, Any]:
        if spec is None:
            raise KeyError(f"{operation} has no entry in telemetry.operations.OPERATIONS")
        attributes: dict[str, Any] = {
            **self._static,
            names.RPC_METHOD: operation,
            names.GEN_AI_OPERATION_NAME: spec.name.value,
            names.GEN_AI_MEMORY_STORE_ID: memory_id,
            **spec.request(request),
        }
        if event is not None:
            attributes.update(
                {
                    names.MESSAGE_COUNT: event.message_count,
                    names.PAYLOAD_BYTES: event.payload_bytes,
                    names.AGENT_STATE_INCLUDED: event.carries_agent,
                    names.SESSION_RECORD_INCLUDED: event.carries_session,
                }
            )
        if capture_content():
            attributes.update(spec.content(request))
        return attributes

    def _links(self, event: PlannedEvent | None) -> list[Link]:
        """Links to the spans that produced a write, when they are not in the current trace."""
        if event is None or not event.links:
            return []
        current = trace.get_current_span().get_span_context()
        return [
            Link(context)
            for context in event.links
            if not current.is_valid or context.trace_id != current.trace_id
        ]

    def _measure(
        self,
        operation: str,
        memory_id: str,
        elapsed: float,
        error_type: str | None,
        retries: int,
        span: Span,
    ) -> None:
        base = {names.OPERATION: operation, names.GEN_AI_MEMORY_STORE_ID: memory_id}
        attributes = {**base, names.OUTCOME: "error" if error_type else "success"}
        if error_type is not None:
            attributes[names.ERROR_TYPE] = error_type
        self.instruments.duration.record(
            elapsed, attributes, context=trace.set_span_in_context(span)
        )
        self.instruments.calls.add(1, attributes)
        if retries:
            self.instruments.retries.add(retries, base)

    def _measure_event(self, event: PlannedEvent, memory_id: str) -> None:
        store = {names.GEN_AI_MEMORY_STORE_ID: memory_id}
        self.instruments.event_messages.record(event.message_count, store)
        self.instruments.payload_size.record(event.payload_bytes, store)
        for reason, count in avoided_by_event(event).items():
            self.instruments.avoided.add(
                count, {names.REASON: reason, names.GEN_AI_MEMORY_STORE_ID: memory_id}
            )

    def _on_attempt(
        self, attempts: int = 1, response: Any = None, operation: Any = None, **_: Any
    ) -> None:
        """Botocore ``needs-retry`` hook, run after every attempt: count attempts and throttles.

        It sees failures of every kind (connection errors included), so retries are counted
        even when the final error carries no response. It returns nothing, so botocore's
        own retry decision stands.
        """
        safely("retry hook", lambda: self._count_attempt(attempts, response, operation))

    def _count_attempt(self, attempts: int, response: Any, operation: Any) -> None:
        current = _ATTEMPTS.get()
        if current is not None:
            current.made = max(current.made, attempts)
        if not response or len(response) < 2 or not isinstance(response[1], dict):
            return
        if response[1].get("Error", {}).get("Code") in _THROTTLE_CODES:
            self.instruments.throttles.add(
                1,
                {
                    names.OPERATION: getattr(operation, "name", "unknown"),
                    names.GEN_AI_MEMORY_STORE_ID: current.memory_id if current else "",
                },
            )


@dataclass
class _Attempts:
    """Attempts botocore made for the API call running in this context."""

    memory_id: str
    made: int = 1

    @property
    def retries(self) -> int:
        return self.made - 1


_ATTEMPTS: ContextVar[_Attempts | None] = ContextVar("agentcore_memory_attempts", default=None)


def _response_attributes(spec: OperationSpec | None, response: dict[str, Any]) -> dict[str, Any]:
    """Span attributes read from a successful response."""
    attributes: dict[str, Any] = {}
    request_id = response.get("ResponseMetadata", {}).get("RequestId")
    if request_id:
        attributes[names.AWS_REQUEST_ID] = request_id
    if spec is not None:
        attributes.update(spec.response(response))
    return attributes


def _record_failure(span: Span, exc: Exception, retries: int) -> None:
    span.set_attributes({names.ERROR_TYPE: _error_type(exc), names.RETRY_COUNT: retries})
    span.set_status(Status(StatusCode.ERROR, str(exc)))
    span.record_exception(exc)


def _error_type(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or type(exc).__name__)
    return type(exc).__name__
