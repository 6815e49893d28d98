"""``AgentCoreMemoryStore``: AgentCore long-term memory as a Strands ``MemoryStore``.

Calls made (each a traced, measured call through ``InstrumentedMemoryApi``):

* ``search``: one RetrieveMemoryRecords on the store's namespace (or namespace path).
* ``add_messages``: one CreateEvent per planned event (see ``events``), one after another.
* ``add``: one BatchCreateMemoryRecords holding one record in the store's namespace.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
from typing import Any

import boto3
from botocore.config import Config
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import TracerProvider
from strands.memory import (
    AddMessagesContext,
    AggregateMemoryError,
    ExtractionConfig,
    MemoryEntry,
    MemoryStore,
    SearchOptions,
)
from strands.types.content import Message

from ..client.api import MemoryApi
from ..client.boto import make_client
from ..telemetry import InstrumentedMemoryApi
from ..wire import limits
from ..wire.content_policy import ContentFilter, ContentPolicy
from ..wire.trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY, TraceStamp, current_stamp
from .config import (
    DEFAULT_MAX_SEARCH_RESULTS,
    DEFAULT_OVERFETCH_FACTOR,
    ExtractionMode,
    MetadataProvider,
    StoreArguments,
    check_positive_int,
)
from .events import EventPlanner
from .records import batch_create_request, to_entry

logger = logging.getLogger(__name__)


class AgentCoreMemoryStore(MemoryStore):
    """AgentCore Memory long-term records for Strands' ``MemoryManager``.

    Reads one exact namespace (``namespace``) or a namespace and everything below it
    (``namespace_path``), with ``{actorId}`` and ``{sessionId}`` substituted. A writable store
    also sends the conversation to the session's event stream (``add_messages``, from which
    the memory's strategies extract records) and stores single records (``add``).

    Args:
        memory_id: The memory (bare id or ARN).
        actor_id: The actor; events are written and namespaces resolved for it.
        session_id: The session events are written to.
        namespace: The exact namespace template to read (exactly one of the two).
        namespace_path: The parent namespace template to read with everything below it.
        name: The Strands store name; a slug of the namespace when omitted.
        description: Shown to the model in the memory tools' descriptions.
        max_search_results: Results per search when the caller gives no number (default 5);
            the API returns at most 100.
        writable: Whether ``add_messages`` and ``add`` may write (default ``False``).
        extraction: Strands' extraction setting; kept only for a writable store.
        min_score: Drop records scoring below this (0-1); over-fetches to make up for them.
        over_fetch_factor: How many more records to ask for when ``min_score`` is set.
        metadata_provider: Event metadata for each message.
        max_turns_per_event: Messages per CreateEvent at most (1-100, default 50).
        extraction_mode: ``"SKIP"`` to keep the events out of long-term extraction.
        region_name: AWS region; else as ``client.boto.resolve_region`` chooses it.
        boto3_session: boto3 session to build the client from.
        client: A ``bedrock-agentcore`` boto3 client, the SDK's ``MemoryClient``, or the
            ``api`` of another store (how ``create_agentcore_memory_stores`` shares one).
        endpoint_url: AgentCore endpoint, e.g. the local server's ``endpoint_url``.
        boto_client_config: botocore ``Config`` for the client this store builds.
        tracer_provider: Where memory spans go; the global provider when ``None``.
        meter_provider: Where memory metrics go; the global provider when ``None``.
        trace_metadata: Stamp the active span's traceId/spanId into each event's metadata.
        trace_id_key: Metadata key for the W3C trace id.
        span_id_key: Metadata key for the W3C span id.
        content_filter: Applied to every string of content this store sends: message text,
            ``add`` content, search queries; not to metadata (docs/data-control.md).

    Raises:
        ValueError: An argument breaks an API limit; the message names it.
    """

    def __init__(
        self,
        *,
        memory_id: str,
        actor_id: str,
        session_id: str,
        namespace: str | None = None,
        namespace_path: str | None = None,
        name: str | None = None,
        description: str | None = None,
        max_search_results: int | None = None,
        writable: bool = False,
        extraction: bool | ExtractionConfig | None = None,
        min_score: float | None = None,
        over_fetch_factor: float = DEFAULT_OVERFETCH_FACTOR,
        metadata_provider: MetadataProvider | None = None,
        max_turns_per_event: int | None = None,
        extraction_mode: ExtractionMode | None = None,
        region_name: str | None = None,
        boto3_session: boto3.Session | None = None,
        client: Any = None,
        endpoint_url: str | None = None,
        boto_client_config: Config | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        trace_metadata: bool = True,
        trace_id_key: str = DEFAULT_TRACE_ID_KEY,
        span_id_key: str = DEFAULT_SPAN_ID_KEY,
        content_filter: ContentFilter | None = None,
    ) -> None:
        # The arguments StoreArguments checks, by name: the signature above is the SDK's.
        checked = StoreArguments.of(
            **{key: value for key, value in locals().items() if key in StoreArguments.model_fields}
        )
        self._memory_id, self._namespace_field = checked.memory_id, checked.namespace_field
        self.namespace, self.name = checked.resolved_namespace, checked.name
        self.description, self.writable = description, writable
        self.max_search_results = checked.max_search_results
        self.extraction = _kept_extraction(extraction, writable, self.name)
        self._min_score, self._over_fetch_factor = checked.min_score, checked.over_fetch_factor
        self._warned_cap = False
        self.api = memory_api(
            client,
            region_name,
            boto3_session,
            endpoint_url,
            boto_client_config,
            tracer_provider,
            meter_provider,
        )
        self._trace_metadata = trace_metadata
        self._policy = ContentPolicy(content_filter)
        self._events = _planner(checked, metadata_provider, trace_metadata, self._policy)
        # Planned add() requests not yet acknowledged, so a retry resends the same request.
        self._pending_adds: dict[str, dict[str, Any]] = {}
        # One add_messages at a time: the planner's memory of acknowledged messages is shared.
        self._write_lock = threading.Lock()

    # --- MemoryStore ----------------------------------------------------------------------

    async def initialize(self) -> None:
        """Start a new run: Strands numbers an agent's messages from 0 again for each agent.

        Called by ``MemoryManager`` when it is attached to an agent. Makes no call.
        """
        self._events.new_run()

    async def search(self, query: str, options: SearchOptions | None = None) -> list[MemoryEntry]:
        """Records relevant to ``query``, most relevant first (one RetrieveMemoryRecords).

        Raises:
            ValueError: ``query`` or ``max_search_results`` breaks an API limit.
            botocore.exceptions.ClientError: The call failed (MemoryManager isolates it).
        """
        want = (
            options["max_search_results"]
            if options is not None and "max_search_results" in options
            else self.max_search_results or DEFAULT_MAX_SEARCH_RESULTS
        )
        check_positive_int(want, "max_search_results")
        if isinstance(query, str):
            query = self._policy.text(query)
        if not isinstance(query, str) or not 1 <= len(query) <= limits.SEARCH_QUERY_MAX_CHARS:
            raise ValueError(
                f"AgentCoreMemoryStore.search: query must be 1-{limits.SEARCH_QUERY_MAX_CHARS} "
                f"characters, got {len(query) if isinstance(query, str) else type(query).__name__}"
            )
        top_k = want if self._min_score is None else math.ceil(want * self._over_fetch_factor)
        if want > limits.TOP_K_MAX and not self._warned_cap:
            self._warned_cap = True
            logger.warning(
                "store=<%s>, max_search_results=<%d> | a search returns at most %d records",
                self.name,
                want,
                limits.TOP_K_MAX,
            )
        request = {
            "memoryId": self._memory_id,
            self._namespace_field: self.namespace,
            "searchCriteria": {"searchQuery": query, "topK": min(top_k, limits.TOP_K_MAX)},
        }
        response = await asyncio.to_thread(self.api.retrieve_memory_records, request)
        records = [
            record
            for record in response.get("memoryRecordSummaries") or []
            if self._min_score is None or float(record.get("score") or 0.0) >= self._min_score
        ]
        return [to_entry(record) for record in records[:want]]

    async def add_messages(
        self, messages: list[Message], context: AddMessagesContext | None = None
    ) -> None:
        """Write the conversation to the session's events, for the memory's strategies.

        Events are sent one after another, in order. A retried batch (same sequence numbers)
        resends unacknowledged events unchanged and skips acknowledged ones.

        Raises:
            ValueError: The store is not writable, or metadata breaks an API limit (nothing
                is sent then).
            AggregateMemoryError: A CreateEvent failed; the events after it were not sent.
        """
        self._require_writable("add_messages")
        numbers = context.sequence_numbers if context is not None else None
        stamp = current_stamp() if self._trace_metadata else None
        await asyncio.to_thread(self._send_events, messages, numbers, stamp)

    async def add(self, content: str, metadata: dict[str, Any] | None = None) -> str:
        """Store ``content`` as one long-term record in the store's namespace.

        Returns the new record's id. A call retried after a failure, with the same content
        and metadata, resends the same request, so the service stores the record once. With
        ``trace_metadata`` on, the record's metadata names the active trace and span
        (``sourceTraceIds``, ``sourceSpanId``; see ``lineage``).

        Raises:
            ValueError: The store is not writable, or content or metadata breaks a limit.
            RuntimeError: The service did not store the record (its error is included).
        """
        self._require_writable("add")
        key = json.dumps([content, metadata], sort_keys=True, default=str)
        stamp = current_stamp() if self._trace_metadata else None
        request = self._pending_adds.get(key) or batch_create_request(
            self._memory_id,
            self.namespace,
            self._policy.text(content) if isinstance(content, str) else content,
            metadata,  # not content: its values must match the API's pattern (no brackets)
            stamp,
        )
        self._pending_adds[key] = request
        response = await asyncio.to_thread(self.api.batch_create_memory_records, request)
        self._pending_adds.pop(key, None)
        failed = response.get("failedRecords") or []
        if failed:
            reason = failed[0].get("errorMessage") or failed[0].get("errorCode")
            raise RuntimeError(f"AgentCoreMemoryStore.add: the record was not stored: {reason}")
        return str(response["successfulRecords"][0]["memoryRecordId"])

    # --- internals ------------------------------------------------------------------------

    def _require_writable(self, method: str) -> None:
        if not self.writable:
            raise ValueError(
                f"AgentCoreMemoryStore {self.name!r} is not writable; {method} is unavailable"
            )

    def _send_events(
        self, messages: list[Message], numbers: list[int] | None, stamp: TraceStamp | None
    ) -> None:
        with self._write_lock:
            events = self._events.plan(messages, numbers, stamp)
            for index, event in enumerate(events):
                try:
                    self.api.create_event(event)
                except Exception as exc:
                    raise AggregateMemoryError(
                        f"AgentCore CreateEvent failed for event {index + 1} of {len(events)} "
                        f"({type(exc).__name__}: {exc}); it and the {len(events) - index - 1} "
                        "after it are sent when Strands retries the batch (numbered messages "
                        "with the same request, so nothing is stored twice)",
                        [exc],
                    ) from exc
                self._events.acknowledge(event)


def memory_api(
    client: Any,
    region_name: str | None,
    boto3_session: boto3.Session | None,
    endpoint_url: str | None,
    boto_client_config: Config | None,
    tracer_provider: TracerProvider | None,
    meter_provider: MeterProvider | None,
) -> MemoryApi:
    """The traced API the stores call.

    ``client`` itself when it is one already; else one around the boto3 ``bedrock-agentcore``
    client given (or the SDK ``MemoryClient``'s), or around a new one.
    """
    if isinstance(client, MemoryApi):
        return client
    if client is not None:
        boto_client = getattr(client, "gmdp_client", client)
    else:
        session = boto3_session or boto3.Session()
        boto_client = make_client(
            region_name=region_name,
            boto_session=session,
            boto_client_config=boto_client_config,
            endpoint_url=endpoint_url,
        )
    return InstrumentedMemoryApi(
        boto_client, tracer_provider=tracer_provider, meter_provider=meter_provider
    )


def _planner(
    checked: StoreArguments,
    metadata_provider: MetadataProvider | None,
    trace_metadata: bool,
    policy: ContentPolicy,
) -> EventPlanner:
    """The planner of the store's CreateEvent requests, for its memory, actor and session."""
    return EventPlanner(
        target={
            "memoryId": checked.memory_id,
            "actorId": checked.actor_id,
            "sessionId": checked.session_id,
        },
        max_turns_per_event=checked.max_turns_per_event,
        metadata_provider=metadata_provider,
        trace_keys=(checked.trace_id_key, checked.span_id_key) if trace_metadata else None,
        extraction_mode=checked.extraction_mode,
        policy=policy,
    )


def _kept_extraction(
    extraction: bool | ExtractionConfig | None, writable: bool, name: str
) -> bool | ExtractionConfig | None:
    """Strands' extraction setting as the store keeps it: only a writable store extracts."""
    if not writable and extraction not in (None, False):
        logger.warning(
            "store=<%s> | extraction is set but writable is false; extraction will not run", name
        )
    return extraction if writable else None
