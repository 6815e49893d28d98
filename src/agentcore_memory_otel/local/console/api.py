"""The console's JSON endpoints, read straight from the server's backend (no HTTP to itself).

Every endpoint takes its ids as query parameters (actor ids may hold ``/``), pages with the
backend's opaque tokens, and answers ``{"error": message}`` with a 4xx status on bad input.
The one endpoint that changes anything is ``DELETE /console/api/event``; the server's loopback
guard (``local/trust.py``) lets it through only from no web page or the console's own origin.
docs/console.md documents each endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...wire import limits
from ...wire.branch_tree import BranchTree, resume_config
from ...wire.lineage import SOURCE_TRACE_IDS, parse_lineage, reads_in, superseded_in
from ...wire.trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY, normalize_trace_id
from ..backend import Backend
from ..errors import ApiError
from ..records import Scope
from .links import CONSOLE_PATH
from .render import event_view, timestamp

API_PATH = CONSOLE_PATH + "/api"
DEFAULT_PAGE_SIZE = 20
ORDERS = ("newest", "oldest")
_DIGITS = re.compile(r"[0-9]{1,4}")

Answer = dict[str, Any]
Endpoint = Callable[[Backend, QueryParams], Answer]


class BadRequest(Exception):
    """A console request the page should not have sent: a missing or malformed parameter."""


def _required(query: QueryParams, name: str) -> str:
    value = query.get(name)
    if not value:
        raise BadRequest(f"the query parameter {name} is required")
    return value


def _page_size(query: QueryParams) -> int:
    text = query.get("maxResults")
    if text is None:
        return DEFAULT_PAGE_SIZE
    # ASCII digits only: str.isdigit() also accepts '²', which int() cannot read.
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= limits.MAX_RESULTS_MAX:
        raise BadRequest(f"maxResults must be a whole number from 1 to {limits.MAX_RESULTS_MAX}")
    return int(text)


def _memory_id(backend: Backend, query: QueryParams) -> str:
    """The ``memoryId`` parameter, once the memory is known to exist."""
    memory_id = _required(query, "memoryId")
    backend.memories.require(memory_id)
    return memory_id


def _memory_view(document: dict[str, Any]) -> Answer:
    strategies = [
        {
            "strategyId": s.get("strategyId"),
            "name": s.get("name"),
            "type": s.get("type"),
            "namespaces": s.get("namespaces", []),
            "status": s.get("status"),
        }
        for s in document.get("strategies", [])
    ]
    return {
        "id": document["id"],
        "name": document.get("name"),
        "arn": document.get("arn"),
        "status": document.get("status"),
        "description": document.get("description"),
        "eventExpiryDuration": document.get("eventExpiryDuration"),
        "created": timestamp(document["createdAt"]),
        "strategies": strategies,
    }


def config(trace_url: str | None) -> Endpoint:
    """``GET /config``: the trace link template and the metadata keys the console highlights."""

    def answer(backend: Backend, query: QueryParams) -> Answer:
        return {
            "traceUrl": trace_url,
            "traceIdKey": DEFAULT_TRACE_ID_KEY,
            "spanIdKey": DEFAULT_SPAN_ID_KEY,
        }

    return answer


def memories(backend: Backend, query: QueryParams) -> Answer:
    """``GET /memories[?traceId=]``: memories newest first, each with its strategies.

    With ``traceId``, only the memories holding an event of that trace, in one answer (a trace
    is written by one conversation: there are few), and the trace id as stored.
    """
    if query.get("traceId"):
        trace_id = _trace_id(query)
        views = [
            _memory_view(backend.memories.get(memory_id))
            for memory_id in backend.traces.memories_holding_trace(trace_id)
        ]
        return {"memories": views, "nextToken": None, "traceId": trace_id}
    page, token = backend.memories.list_memories(
        max_results=_page_size(query), next_token=query.get("nextToken")
    )
    views = [_memory_view(backend.memories.get(summary["id"])) for summary in page]
    return {"memories": views, "nextToken": token}


def memory(backend: Backend, query: QueryParams) -> Answer:
    """``GET /memory?memoryId=``: one memory and its strategies."""
    return _memory_view(backend.memories.get(_required(query, "memoryId")))


def actors(backend: Backend, query: QueryParams) -> Answer:
    """``GET /actors?memoryId=``: a memory's actors in id order."""
    memory_id = _memory_id(backend, query)
    page, token = backend.events.list_actors(
        memory_id, max_results=_page_size(query), next_token=query.get("nextToken")
    )
    return {"actors": page, "nextToken": token}


def sessions(backend: Backend, query: QueryParams) -> Answer:
    """``GET /sessions?memoryId=&actorId=``: an actor's sessions, newest first."""
    memory_id = _memory_id(backend, query)
    page, token = backend.events.list_sessions(
        memory_id,
        _required(query, "actorId"),
        max_results=_page_size(query),
        next_token=query.get("nextToken"),
    )
    views = [
        {"sessionId": s["sessionId"], "actorId": s["actorId"], "created": timestamp(s["createdAt"])}
        for s in page
    ]
    return {"sessions": views, "nextToken": token}


def events(backend: Backend, query: QueryParams) -> Answer:
    """``GET /events?memoryId=&actorId=&sessionId=&order=``: one page of a session's events.

    The first page (no ``nextToken``) also carries ``liveCursor``, taken before the page is
    read, for ``/events/live``: an event stored meanwhile may show in both, never in neither.
    """
    memory_id = _memory_id(backend, query)
    actor_id, session_id = _required(query, "actorId"), _required(query, "sessionId")
    order = query.get("order", "newest")
    if order not in ORDERS:
        raise BadRequest("order must be newest or oldest")
    next_token = query.get("nextToken")
    answer: Answer = {}
    if next_token is None:
        _, answer["liveCursor"] = backend.events.stored_since(
            memory_id, actor_id, session_id, cursor=None, max_results=1
        )
    page, token = backend.events.list_events(
        memory_id,
        actor_id,
        session_id,
        max_results=_page_size(query),
        next_token=next_token,
        oldest_first=order == "oldest",
    )
    answer.update(events=[event_view(e) for e in page], nextToken=token)
    return answer


def branches(backend: Backend, query: QueryParams) -> Answer:
    """``GET /branches?memoryId=&actorId=&sessionId=[&branch=]``: a session's branch tree.

    Every branch with its parent, root event and the traces of its root and first events, and
    a name no branch has yet (``freeBranch``, for the fork command lines the page shows);
    with ``branch``, also the events a session manager on it restores (its own and its
    parents' up to its root), oldest first, each with the ``fork`` command lines forking
    there, and the configuration that resumes it.
    """
    memory_id = _memory_id(backend, query)
    actor_id, session_id = _required(query, "actorId"), _required(query, "sessionId")
    everything: list[dict[str, Any]] = []
    token = None
    while True:
        page, token = backend.events.list_events(
            memory_id,
            actor_id,
            session_id,
            max_results=limits.MAX_RESULTS_MAX,
            next_token=token,
            oldest_first=True,
        )
        everything += page
        if token is None:
            break
    tree = BranchTree(everything)
    answer: Answer = {"branches": tree.summaries(), "freeBranch": tree.free_name()}
    name = query.get("branch")
    if name:
        if name not in tree.branches:
            raise BadRequest(f"session {session_id} has no branch {name!r}")
        answer["branch"] = name
        answer["events"] = [
            {**event_view(event), "fork": lines}
            for event, lines in tree.fork_lines(name, memory_id, actor_id, session_id)
        ]
        answer["config"] = resume_config(memory_id, actor_id, session_id, name)
    return answer


def live(backend: Backend, query: QueryParams) -> Answer:
    """``GET /events/live?memoryId=&actorId=&sessionId=&cursor=``: events stored since."""
    memory_id = _memory_id(backend, query)
    found, cursor = backend.events.stored_since(
        memory_id,
        _required(query, "actorId"),
        _required(query, "sessionId"),
        cursor=_required(query, "cursor"),
        max_results=_page_size(query),
    )
    return {"events": [event_view(e) for e in found], "cursor": cursor}


def trace(backend: Backend, query: QueryParams) -> Answer:
    """``GET /trace?memoryId=&traceId=[&actorId=][&sessionId=]``: a trace's events, oldest first.

    The first page (no ``nextToken``) also carries ``count``: the events of all the pages.
    """
    memory_id = _memory_id(backend, query)
    trace_id = _trace_id(query)
    actor_id, session_id = query.get("actorId") or None, query.get("sessionId") or None
    next_token = query.get("nextToken")
    found, token = backend.traces.trace_events(
        memory_id,
        trace_id,
        actor_id=actor_id,
        session_id=session_id,
        max_results=_page_size(query),
        next_token=next_token,
    )
    answer: Answer = {"traceId": trace_id}
    if next_token is None:  # the first page says how many events all the pages hold
        answer["count"] = backend.traces.trace_event_count(
            memory_id, trace_id, actor_id=actor_id, session_id=session_id
        )
    answer.update(events=[event_view(e) for e in found], nextToken=token)
    return answer


ACTIVITY_MAX_EVENTS = 1000
"""The most events of one trace ``/activity`` reads (a trace is one agent call or a few)."""


def activity(backend: Backend, query: QueryParams) -> Answer:
    """``GET /activity?memoryId=&traceId=[&actorId=][&sessionId=]``: what the trace did.

    The messages its events superseded, the records its turns injected (with their namespace,
    ``null`` once deleted), and the records learned from its events (their lineage names it).
    """
    memory_id = _memory_id(backend, query)
    trace_id = _trace_id(query)
    actor_id, session_id = query.get("actorId") or None, query.get("sessionId") or None
    found: list[dict[str, Any]] = []
    token: str | None = None
    while len(found) < ACTIVITY_MAX_EVENTS:
        page, token = backend.traces.trace_events(
            memory_id,
            trace_id,
            actor_id=actor_id,
            session_id=session_id,
            max_results=limits.MAX_RESULTS_MAX,
            next_token=token,
        )
        found += page
        if not token:
            break
    reads = [
        {
            "memoryRecordId": record_id,
            "score": score,
            "namespace": _namespace_of(backend, memory_id, record_id),
            "eventId": event["eventId"],
        }
        for event in found
        for record_id, score in reads_in(event)
    ]
    return {
        "traceId": trace_id,
        "truncated": bool(token),
        "superseded": [s.to_dict() for event in found for s in superseded_in(event)],
        "reads": reads,
        "records": [record_view(r) for r in _taught(backend, memory_id, trace_id)],
    }


def _namespace_of(backend: Backend, memory_id: str, record_id: str) -> str | None:
    try:
        return parse_lineage(backend.records.get(memory_id, record_id)).namespace
    except ApiError:
        return None


def _taught(backend: Backend, memory_id: str, trace_id: str) -> list[dict[str, Any]]:
    """Records whose lineage names ``trace_id``, newest first (every page)."""
    contains = (SOURCE_TRACE_IDS, "CONTAINS", {"stringValue": trace_id})
    scope = Scope(namespace_path="/", metadata_filters=(contains,))
    records: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page, token = backend.records.list_records(
            memory_id, scope, max_results=limits.MAX_RESULTS_MAX, next_token=token
        )
        records += [r for r in page if trace_id in parse_lineage(r).trace_ids]
        if not token:
            return records


def record(backend: Backend, query: QueryParams) -> Answer:
    """``GET /record?memoryId=&recordId=``: one record, its lineage and its source events."""
    memory_id = _memory_id(backend, query)
    record_id = _required(query, "recordId")
    try:
        limits.MEMORY_RECORD_ID.check(record_id, "recordId")
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    stored = backend.records.get(memory_id, record_id)
    lineage = parse_lineage(stored)
    sources: list[Answer] = []
    if lineage.actor_id and lineage.session_id:
        for event_id in lineage.event_ids:
            try:
                event = backend.events.get(
                    memory_id, lineage.actor_id, lineage.session_id, event_id
                )
            except ApiError:
                sources.append({"eventId": event_id, "found": False})
            else:
                sources.append({**event_view(event), "found": True})
    return {"record": record_view(stored), "sourceEvents": sources}


def _trace_id(query: QueryParams) -> str:
    """The ``traceId`` parameter in any accepted form, as 32 lowercase hex digits."""
    try:
        return normalize_trace_id(_required(query, "traceId"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc


def namespaces(backend: Backend, query: QueryParams) -> Answer:
    """``GET /namespaces?memoryId=``: namespaces holding long-term records, with counts."""
    memory_id = _memory_id(backend, query)
    page, token = backend.records.list_namespaces(
        memory_id, max_results=_page_size(query), next_token=query.get("nextToken")
    )
    return {"namespaces": page, "nextToken": token}


def records(backend: Backend, query: QueryParams) -> Answer:
    """``GET /records?memoryId=&namespace=``: a namespace's long-term records, newest first."""
    memory_id = _memory_id(backend, query)
    page, token = backend.records.list_records(
        memory_id,
        Scope(namespace=_required(query, "namespace")),
        max_results=_page_size(query),
        next_token=query.get("nextToken"),
    )
    return {"records": [record_view(r) for r in page], "nextToken": token}


def record_view(stored: dict[str, Any]) -> Answer:
    """A record as the console shows it, with its lineage (``lineage.RecordLineage``)."""
    return {
        "memoryRecordId": stored["memoryRecordId"],
        "text": stored["content"]["text"],
        "strategyId": stored["memoryStrategyId"],
        "namespaces": stored["namespaces"],
        "created": timestamp(stored["createdAt"]),
        "metadata": stored.get("metadata", {}),
        "lineage": parse_lineage(stored).to_dict(),
    }


def delete_event(backend: Backend, query: QueryParams) -> Answer:
    """``DELETE /event?memoryId=&actorId=&sessionId=&eventId=``: delete one event for good."""
    memory_id = _memory_id(backend, query)
    event_id = _required(query, "eventId")
    backend.events.delete(
        memory_id, _required(query, "actorId"), _required(query, "sessionId"), event_id
    )
    return {"deleted": event_id}


def _endpoint(backend: Backend, answer: Endpoint) -> Callable[[Request], Any]:
    """An ASGI endpoint running ``answer`` in a worker thread (SQLite calls block)."""

    async def respond(request: Request) -> Response:
        try:
            body = await run_in_threadpool(answer, backend, request.query_params)
        except BadRequest as exc:
            return _json({"error": str(exc)}, 400)
        except ApiError as exc:
            return _json({"error": exc.message}, exc.status)
        return _json(body, 200)

    return respond


def _json(body: Answer, status: int) -> Response:
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def api_routes(backend: Backend, trace_url: str | None) -> list[Route]:
    """The console's JSON endpoints under ``/console/api``."""
    table: list[tuple[str, str, Endpoint]] = [
        ("GET", "/config", config(trace_url)),
        ("GET", "/memories", memories),
        ("GET", "/memory", memory),
        ("GET", "/actors", actors),
        ("GET", "/sessions", sessions),
        ("GET", "/events", events),
        ("GET", "/events/live", live),
        ("GET", "/branches", branches),
        ("GET", "/trace", trace),
        ("GET", "/activity", activity),
        ("GET", "/record", record),
        ("GET", "/namespaces", namespaces),
        ("GET", "/records", records),
        ("DELETE", "/event", delete_event),
    ]
    return [
        Route(API_PATH + path, _endpoint(backend, answer), methods=[method])
        for method, path, answer in table
    ]
