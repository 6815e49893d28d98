"""Finding the memory events a trace wrote, from its trace id back to events and messages.

A trace id taken from Langfuse, Jaeger, Phoenix or X-Ray leads to the events stamped with it.
Each session is searched with ListEvents' metadata filter on the trace-id key, following
``nextToken`` until it is absent (filtered pages can be empty and still continue). Without a
session id the actor's sessions are walked (ListSessions); without an actor id, the memory's
actors too (ListActors). The walk runs a bounded number of calls in parallel, paced under the
API's default TPS quotas, and stops once a session holding the trace is found: one trace is
written by one conversation. Metadata-filtered reads are eventually consistent in AgentCore
Memory, so events written within the last moments may not show yet.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from botocore.exceptions import ClientError
from opentelemetry.metrics import MeterProvider
from opentelemetry.trace import TracerProvider
from strands.types.content import Message

from ..client.boto import client_or_new
from ..client.paging import pages
from ..client.rates import PER_SESSION, QUOTA_TPS, RatePacer
from ..wire.codec import StoredMessage, decode_event
from ..wire.trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY, normalize_trace_id
from . import InstrumentedMemoryApi

DEFAULT_RATE_LIMITS: Final[Mapping[str, float]] = {
    name: QUOTA_TPS[name]
    for name in ("ListActors", "ListSessions", "ListEvents", "ListEvents" + PER_SESSION)
}
"""Calls per second the walk stays under: AgentCore Memory's default quotas (per account, and
ListEvents also per actor and session). Raised quotas can be passed as ``rate_limits``."""

DEFAULT_MAX_WORKERS: Final = 8


@dataclass(frozen=True)
class TraceEvent:
    """A stored event of a trace, with its decoded messages."""

    event_id: str
    session_id: str
    actor_id: str
    timestamp: datetime
    trace_id: str
    span_id: str | None
    messages: list[Message]
    metadata: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "eventId": self.event_id,
            "sessionId": self.session_id,
            "actorId": self.actor_id,
            "eventTimestamp": self.timestamp.isoformat(),
            "traceId": self.trace_id,
            "spanId": self.span_id,
            "metadata": self.metadata,
            "messages": self.messages,
        }


@dataclass(frozen=True)
class LookupReport:
    """What one ``find_events`` lookup cost.

    Attributes:
        calls: API calls made, by operation (e.g. ``{"ListActors": 1, "ListEvents": 12}``).
        sessions_searched: Sessions whose events were searched for the trace.
        stopped_early: The walk ended before every session was searched, because the session
            holding the trace was found.
        seconds: Wall-clock time of the lookup.
    """

    calls: dict[str, int]
    sessions_searched: int
    stopped_early: bool
    seconds: float

    @property
    def total_calls(self) -> int:
        """Every API call made."""
        return sum(self.calls.values())


class TraceEvents(list[TraceEvent]):
    """The events ``find_events`` found (a plain list of ``TraceEvent``), plus its ``report``."""

    report: LookupReport


def find_events(
    trace_id: str,
    *,
    memory_id: str,
    actor_id: str | None = None,
    session_id: str | None = None,
    client: Any = None,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    trace_id_key: str = DEFAULT_TRACE_ID_KEY,
    span_id_key: str = DEFAULT_SPAN_ID_KEY,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
    max_workers: int = DEFAULT_MAX_WORKERS,
    rate_limits: Mapping[str, float] | None = None,
) -> TraceEvents:
    """The events stamped with ``trace_id``, oldest first, with their messages in order.

    The result is a list; its ``report`` attribute (a ``LookupReport``) tells the calls made.
    Every call has a span (under one ``search_memory`` span for the lookup) and metrics, like
    the session manager's.

    Args:
        trace_id: The trace id in any form ``normalize_trace_id`` accepts (W3C hex, UUID
            style, ``0x``-prefixed, or X-Ray ``1-5759e988-bd862e3fe1be46a994272793``).
        memory_id: The memory resource.
        actor_id: The actor the events were stored under; every actor of the memory if absent.
        session_id: The session; every session of the actor(s) if absent.
        client: A boto3 ``bedrock-agentcore`` client; built from the other arguments if absent.
        endpoint_url: Endpoint for the client built here (e.g. the local server).
        region_name: Region for the client built here.
        trace_id_key: The metadata key the trace id was stamped under.
        span_id_key: The metadata key the span id was stamped under.
        tracer_provider: Where the lookup's spans go; the global provider when ``None``.
        meter_provider: Where its metrics go; the global provider when ``None``.
        max_workers: Calls in flight at once while walking actors and sessions.
        rate_limits: Calls per second by operation, overriding ``DEFAULT_RATE_LIMITS``
            (``0`` for no limit), e.g. after a quota increase.

    Raises:
        ValueError: ``trace_id`` is not a trace id, or ``max_workers`` is below 1.
    """
    trace_id = normalize_trace_id(trace_id)
    if max_workers < 1:
        raise ValueError(f"max_workers must be at least 1, got {max_workers}")
    client = client_or_new(client, endpoint_url, region_name)
    api = InstrumentedMemoryApi(
        client, tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    started = time.perf_counter()
    rates = {**DEFAULT_RATE_LIMITS, **(rate_limits or {})}
    lookup = _Lookup(api, memory_id, trace_id_key, trace_id, rates)
    try:
        with api.lookup_span(memory_id, actor_id, session_id) as span:
            work = _first_work(lookup, actor_id, session_id)
            events, searched, stopped_early = _walk(lookup, work, max_workers)
            api.record_lookup(span, len(events), sum(lookup.calls.values()), searched)
    finally:
        api.close()
    found = TraceEvents(_trace_event(event, trace_id, span_id_key) for event in events)
    found.sort(key=lambda e: (e.timestamp, e.event_id))
    found.report = LookupReport(
        dict(lookup.calls), searched, stopped_early, time.perf_counter() - started
    )
    return found


@dataclass(frozen=True)
class _ListSessions:
    """Work: list an actor's sessions, then search each."""

    actor_id: str


@dataclass(frozen=True)
class _Search:
    """Work: search one session for the trace's events."""

    actor_id: str
    session_id: str
    may_be_absent: bool = False  # the session was given, not listed: this actor may lack it


_Work = _ListSessions | _Search


def _first_work(lookup: _Lookup, actor_id: str | None, session_id: str | None) -> deque[_Work]:
    if actor_id is not None and session_id is not None:
        return deque([_Search(actor_id, session_id)])
    if actor_id is not None:
        return deque([_ListSessions(actor_id)])
    actors = lookup.actors()
    if session_id is not None:
        return deque(_Search(actor, session_id, may_be_absent=True) for actor in actors)
    return deque(_ListSessions(actor) for actor in actors)


def _walk(
    lookup: _Lookup, work: deque[_Work], max_workers: int
) -> tuple[list[dict[str, Any]], int, bool]:
    """Run the work with at most ``max_workers`` in flight: (events, sessions searched, early).

    Searches go ahead of listings, in the order their actors were listed, so a session is
    searched as soon as it is known; no new work starts once a session with the trace is found.
    """
    found: list[dict[str, Any]] = []
    searched = 0
    searches: deque[_Work] = deque(task for task in work if isinstance(task, _Search))
    listings: deque[_Work] = deque(task for task in work if isinstance(task, _ListSessions))
    running: dict[Future[list[Any]], _Work] = {}
    with ThreadPoolExecutor(max_workers, thread_name_prefix="agentcore-find") as pool:
        try:
            while searches or listings or running:
                while len(running) < max_workers and not lookup.stop.is_set():
                    queue = searches or listings
                    if not queue:
                        break
                    task = queue.popleft()
                    # Each task runs in a copy of this context, so its spans nest under the lookup.
                    running[pool.submit(contextvars.copy_context().run, lookup.run, task)] = task
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    result = future.result()
                    if isinstance(task, _ListSessions):
                        searches.extend(_Search(task.actor_id, s) for s in result)
                        continue
                    searched += 1
                    if result:
                        found.extend(result)
                        lookup.stop.set()
        except BaseException:
            lookup.stop.set()  # the calls in flight end at their next page
            raise
    return found, searched, bool(searches or listings)


class _Lookup:
    """The calls of one lookup: paced, counted, and cut short once the trace is found."""

    def __init__(
        self,
        api: InstrumentedMemoryApi,
        memory_id: str,
        key: str,
        trace_id: str,
        rates: Mapping[str, float],
    ) -> None:
        self.api = api
        self.memory_id = memory_id
        self.key = key
        self.trace_id = trace_id
        self.calls: Counter[str] = Counter()
        self.stop = threading.Event()
        self._pacer = RatePacer(rates)
        self._lock = threading.Lock()

    def run(self, task: _Work) -> list[Any]:
        if isinstance(task, _ListSessions):
            return self.sessions(task.actor_id)
        return self.events(task)

    def actors(self) -> list[str]:
        return [
            actor["actorId"]
            for page in self._pages("ListActors", {"memoryId": self.memory_id})
            for actor in page.get("actorSummaries", [])
        ]

    def sessions(self, actor_id: str) -> list[str]:
        request = {"memoryId": self.memory_id, "actorId": actor_id}
        sessions: list[str] = []
        for page in self._pages("ListSessions", request):
            sessions += [s["sessionId"] for s in page.get("sessionSummaries", [])]
            if self.stop.is_set():
                break
        return sessions

    def events(self, task: _Search) -> list[dict[str, Any]]:
        request = {
            "memoryId": self.memory_id,
            "actorId": task.actor_id,
            "sessionId": task.session_id,
            "includePayloads": True,
            "filter": {
                "eventMetadata": [
                    {
                        "left": {"metadataKey": self.key},
                        "operator": "EQUALS_TO",
                        "right": {"metadataValue": {"stringValue": self.trace_id}},
                    }
                ]
            },
        }
        events: list[dict[str, Any]] = []
        try:
            for page in self._pages("ListEvents", request, session=task):
                events += page.get("events", [])
                if not events and self.stop.is_set():
                    break  # another session holds the trace
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if not (task.may_be_absent and code == "ResourceNotFoundException"):
                raise
        return events

    def _pages(
        self, operation: str, request: dict[str, Any], session: _Search | None = None
    ) -> Iterator[dict[str, Any]]:
        keys = [operation]
        if session is not None:
            keys.append(f"{operation} per session/{session.actor_id}/{session.session_id}")

        def call(paged: dict[str, Any]) -> dict[str, Any]:
            self._pacer.wait(keys)
            try:
                return self.api.call(operation, paged)
            finally:
                with self._lock:
                    self.calls[operation] += 1

        return pages(call, request)


def _trace_event(event: dict[str, Any], trace_id: str, span_id_key: str) -> TraceEvent:
    metadata = {k: v.get("stringValue", "") for k, v in (event.get("metadata") or {}).items()}
    messages = [
        stored.session_message.to_message()
        for stored in decode_event(event)
        if isinstance(stored, StoredMessage)
    ]
    return TraceEvent(
        event_id=event["eventId"],
        session_id=event["sessionId"],
        actor_id=event["actorId"],
        timestamp=event["eventTimestamp"],
        trace_id=trace_id,
        span_id=metadata.get(span_id_key),
        messages=messages,
        metadata=metadata,
        raw=event,
    )
