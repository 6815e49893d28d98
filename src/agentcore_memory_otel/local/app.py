"""The HTTP layer: a Starlette app that speaks AgentCore Memory's rest-json wire protocol.

It only translates: route the raw path, decode JSON, apply injected faults, run the handler in
a worker thread (SQLite calls block), count the call, and encode the answer or the error the
way botocore expects (``x-amzn-ErrorType`` header, ``message`` body).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..wire import limits
from ..wire.limits import bare_memory_id
from . import routes
from .backend import Backend
from .console import console_routes
from .errors import (
    ApiError,
    MethodNotAllowedError,
    ServiceError,
    UnknownOperationError,
    ValidationError,
)
from .faults import SUCCESS, CallStats, FaultInjector
from .operations import REGISTRY, Request
from .trust import LoopbackGuard
from .validation import MAX_BODY_DEPTH, nesting_depth

logger = logging.getLogger(__name__)


# Every method is routed to ``dispatch``, so that an unsupported one gets an AWS-style error
# (not the framework's plain-text 405).
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]


def _error_response(error: ApiError, request_id: str) -> Response:
    headers = {"x-amzn-ErrorType": error.error_type, "x-amzn-RequestId": request_id}
    if isinstance(error, MethodNotAllowedError):
        headers["Allow"] = ", ".join(error.allowed)
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def _unrouted(method: str, path: str) -> ApiError:
    """The error for a request no operation matches: 405 on a served path, else 404."""
    allowed = routes.methods_for(path)
    if allowed:
        return MethodNotAllowedError(
            f"{method} is not supported on {path}; supported: {', '.join(allowed)}", allowed
        )
    return UnknownOperationError(f"No AgentCore Memory operation matches {method} {path}")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def _read_body(request: HttpRequest) -> dict[str, Any]:
    r"""The JSON object a request carries (``{}`` for none), or a 400 saying why it is unusable.

    Beyond plain JSON syntax this refuses what would fail later, on the way into SQLite or back
    out to the client: ``NaN``/``Infinity`` (not JSON, though Python reads them), nesting too
    deep to walk, and strings holding a lone UTF-16 surrogate (a ``\ud800`` escape), which no UTF-8
    store can keep. Nesting deeper than ``MAX_BODY_DEPTH`` is refused too: boto3 could not read
    it back from inside a deep call stack.
    """
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError.single(
            "body", "Request body holds a lone UTF-16 surrogate", reason="CannotParse"
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise ValidationError.single(
            "body", "Request body is not valid JSON", reason="CannotParse"
        ) from exc
    if not isinstance(body, dict):
        raise ValidationError.single(
            "body", "Request body must be a JSON object", reason="CannotParse"
        )
    if nesting_depth(body) > MAX_BODY_DEPTH:
        raise ValidationError.single(
            "body",
            f"Request body must not nest deeper than {MAX_BODY_DEPTH} levels",
            reason="CannotParse",
        )
    return body


def _throttle_key(labels: dict[str, str], body: dict[str, Any]) -> tuple[str, str, str] | None:
    """The memory+actor+session a CreateEvent counts against, when its ids are usable."""
    actor, session = body.get("actorId"), body.get("sessionId")
    if not isinstance(actor, str) or not isinstance(session, str):
        return None
    memory = labels.get("memoryId", "")
    if not limits.MEMORY_ID_PATTERN.fullmatch(memory):
        return None
    return bare_memory_id(memory), actor, session


def _read_lag_cutoff_ms(faults: FaultInjector, operation: str, body: dict[str, Any]) -> int | None:
    """For a metadata-filtered ListEvents under an injected read lag: hide events stored after.

    Taken when the request arrives, as the service's index would be read then.
    """
    lag = faults.filtered_read_lag
    filters = body.get("filter")
    if not lag or operation != "ListEvents" or not isinstance(filters, dict):
        return None
    if not filters.get("eventMetadata"):
        return None
    return time.time_ns() // 1_000_000 - int(lag * 1000)


def _hide_fresh_events(
    backend: Backend, labels: dict[str, str], payload: dict[str, Any], cutoff_ms: int
) -> None:
    """Drop the page's events stored after ``cutoff_ms`` (the page's ``nextToken`` stays)."""
    events = payload.get("events") or []
    if not events:
        return
    stored = backend.events.stored_ms(
        bare_memory_id(labels["memoryId"]),
        labels["actorId"],
        labels["sessionId"],
        [event["eventId"] for event in events],
    )
    payload["events"] = [e for e in events if stored.get(e["eventId"], 0) <= cutoff_ms]


class _Dispatcher:
    """Answers every API request: route, injected faults, handler, statistics, encoding.

    Faults stay here, at the HTTP edge: latency and failures before the handler, the
    CreateEvent quota, a commit-then-fail after it, and the filtered read lag applied to the
    handler's answer. The handlers and the backend never see them.
    """

    def __init__(self, backend: Backend, faults: FaultInjector, stats: CallStats) -> None:
        self.backend = backend
        self.faults = faults
        self.stats = stats

    async def dispatch(self, http: HttpRequest) -> Response:
        """One request's answer (a bound method, so that Starlette calls it with the request)."""
        request_id = str(uuid.uuid4())
        raw_path = http.scope.get("raw_path") or http.url.path.encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        matched = routes.match(http.method, path)
        operation = matched.operation if matched else "Unknown"
        try:
            if matched is None:
                raise _unrouted(http.method, path)
            payload = await self._answer(matched, http)
        except ApiError as error:
            self.stats.record(operation, error.error_type)
            return _error_response(error, request_id)
        except ClientDisconnect:
            # The client hung up before sending its whole body: nothing was done and there is
            # no one to answer, so it is neither a server failure nor a counted call.
            logger.info("client hung up before sending its whole %s request", operation)
            return Response(status_code=400)
        except Exception:
            logger.exception("local server failed on %s", operation)
            self.stats.record(operation, ServiceError.error_type)
            return _error_response(ServiceError("Internal error in the local server"), request_id)
        self.stats.record(operation, SUCCESS)
        if matched.status == 204:  # no content: TagResource, UntagResource
            return Response(status_code=204, headers={"x-amzn-RequestId": request_id})
        return JSONResponse(
            payload, status_code=matched.status, headers={"x-amzn-RequestId": request_id}
        )

    async def _answer(self, matched: routes.Match, http: HttpRequest) -> dict[str, Any]:
        """The handler's answer to one routed request, with the injected faults applied."""
        operation, faults = matched.operation, self.faults
        delay = faults.latency(operation)
        if delay:
            await asyncio.sleep(delay)
        failure = faults.injected_failure(operation)
        if failure is not None:
            raise failure
        body = await _read_body(http)
        if operation == "CreateEvent":
            key = _throttle_key(matched.labels, body)
            if key is not None:
                faults.admit_create_event(*key)
        cutoff_ms = _read_lag_cutoff_ms(faults, operation, body)
        request = Request(
            labels=matched.labels,
            query_lists={key: http.query_params.getlist(key) for key in http.query_params},
            body=body,
        )
        payload = await run_in_threadpool(REGISTRY[operation], self.backend, request)
        if cutoff_ms is not None:
            await run_in_threadpool(
                _hide_fresh_events, self.backend, matched.labels, payload, cutoff_ms
            )
        if faults.take_commit_then_fail(operation):
            raise ServiceError("Injected failure after commit (local server fault injection)")
        return payload


def create_app(
    backend: Backend, faults: FaultInjector, stats: CallStats, *, trace_url: str | None = None
) -> Starlette:
    """Build the ASGI app serving ``backend`` with ``faults`` applied and calls counted.

    It also serves the memory console at ``/console``, linking trace ids through ``trace_url``.
    Every request passes ``trust.LoopbackGuard`` first: only this machine's own clients, never
    another web page, reach either.
    """
    return Starlette(
        routes=[
            *console_routes(backend, trace_url),
            Route(
                "/{path:path}", _Dispatcher(backend, faults, stats).dispatch, methods=_ALL_METHODS
            ),
        ],
        middleware=[Middleware(LoopbackGuard)],
    )
