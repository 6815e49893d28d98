"""The console's JSON endpoints, read straight from the server's backend (no HTTP to itself).

Every endpoint takes its ids as query parameters (actor ids may hold ``/``), pages with the
backend's opaque tokens, and answers ``{"error": message}`` with a 4xx status on bad input.
The one endpoint that changes anything is ``DELETE /console/api/event``; the server's loopback
guard (``local/trust.py``) lets it through only from no web page or the console's own origin.
docs/console.md documents each endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...wire import limits
from ...wire.branch_tree import BranchTree, resume_config
from ...wire.trace_stamp import DEFAULT_SPAN_ID_KEY, DEFAULT_TRACE_ID_KEY
from ..backend import Backend
from ..errors import ApiError
from .links import CONSOLE_PATH
from .query import Answer, BadRequest, Endpoint, memory_id_of, page_size, required, trace_id_of
from .records_api import activity, namespaces, record, records, trace
from .render import event_view, timestamp

API_PATH = CONSOLE_PATH + "/api"
ORDERS = ("newest", "oldest")


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
        trace_id = trace_id_of(query)
        views = [
            _memory_view(backend.memories.get(memory_id))
            for memory_id in backend.traces.memories_holding_trace(trace_id)
        ]
        return {"memories": views, "nextToken": None, "traceId": trace_id}
    page, token = backend.memories.list_memories(
        max_results=page_size(query), next_token=query.get("nextToken")
    )
    views = [_memory_view(backend.memories.get(summary["id"])) for summary in page]
    return {"memories": views, "nextToken": token}


def memory(backend: Backend, query: QueryParams) -> Answer:
    """``GET /memory?memoryId=``: one memory and its strategies."""
    return _memory_view(backend.memories.get(required(query, "memoryId")))


def actors(backend: Backend, query: QueryParams) -> Answer:
    """``GET /actors?memoryId=``: a memory's actors in id order."""
    memory_id = memory_id_of(backend, query)
    page, token = backend.events.list_actors(
        memory_id, max_results=page_size(query), next_token=query.get("nextToken")
    )
    return {"actors": page, "nextToken": token}


def sessions(backend: Backend, query: QueryParams) -> Answer:
    """``GET /sessions?memoryId=&actorId=``: an actor's sessions, newest first."""
    memory_id = memory_id_of(backend, query)
    page, token = backend.events.list_sessions(
        memory_id,
        required(query, "actorId"),
        max_results=page_size(query),
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
    memory_id = memory_id_of(backend, query)
    actor_id, session_id = required(query, "actorId"), required(query, "sessionId")
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
        max_results=page_size(query),
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
    memory_id = memory_id_of(backend, query)
    actor_id, session_id = required(query, "actorId"), required(query, "sessionId")
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
    memory_id = memory_id_of(backend, query)
    found, cursor = backend.events.stored_since(
        memory_id,
        required(query, "actorId"),
        required(query, "sessionId"),
        cursor=required(query, "cursor"),
        max_results=page_size(query),
    )
    return {"events": [event_view(e) for e in found], "cursor": cursor}


def delete_event(backend: Backend, query: QueryParams) -> Answer:
    """``DELETE /event?memoryId=&actorId=&sessionId=&eventId=``: delete one event for good."""
    memory_id = memory_id_of(backend, query)
    event_id = required(query, "eventId")
    backend.events.delete(
        memory_id, required(query, "actorId"), required(query, "sessionId"), event_id
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
