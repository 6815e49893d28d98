"""The console's JSON endpoints over HTTP, with data written by real boto3 clients."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel.cli.main import build_parser
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.local.console import check_trace_url
from agentcore_memory_otel.local.events import TRACE_ID_SQL
from tests.local.helpers import meta, put, text
from tests.support import free_port, wait_for_port

TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACE_B = "5759e988bd862e3fe1be46a994272793"
TRACE_URL = "http://tracing.example/trace/{traceId}"


@pytest.fixture
def console() -> Iterator[LocalMemoryServer]:
    with LocalMemoryServer(trace_url=TRACE_URL) as running:
        yield running


def call(server: LocalMemoryServer, path: str, method: str = "GET", **params: Any) -> Any:
    """``path`` of the console API; returns the decoded JSON, or (status, body) on an error."""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    url = f"{server.console_url}/api{path}?{query}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method)) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.fixture
def stored(console: LocalMemoryServer) -> dict[str, Any]:
    """A memory with two actors; TRACE_A spans two sessions of two actors, TRACE_B one event."""
    control = console.client("bedrock-agentcore-control")
    data = console.client()
    memory_id = control.create_memory(name="console", eventExpiryDuration=30)["memory"]["id"]
    ids = {}
    for ts, actor, session, trace in [
        (1.0, "alice", "s1", TRACE_A),
        (2.0, "alice", "s1", TRACE_B),
        (3.0, "alice", "s1", None),
        (4.0, "bob", "s2", TRACE_A),
        (5.0, "alice", "s1", TRACE_A),
    ]:
        extra = {"metadata": meta(traceId=trace, spanId="00f067aa0ba902b7")} if trace else {}
        ids[ts] = put(data, memory_id, ts, actor=actor, session=session, **extra)["eventId"]
    return {"memoryId": memory_id, "ids": ids, "data": data}


def test_browse_memories_actors_sessions(console: LocalMemoryServer, stored: Any) -> None:
    memory_id = stored["memoryId"]
    memories = call(console, "/memories")["memories"]
    assert [m["id"] for m in memories] == [memory_id]
    assert memories[0]["name"] == "console" and memories[0]["strategies"] == []
    actors = call(console, "/actors", memoryId=memory_id)
    assert actors == {"actors": [{"actorId": "alice"}, {"actorId": "bob"}], "nextToken": None}
    sessions = call(console, "/sessions", memoryId=memory_id, actorId="bob")["sessions"]
    assert [s["sessionId"] for s in sessions] == ["s2"]
    assert call(console, "/config") == {
        "traceUrl": TRACE_URL,
        "traceIdKey": "traceId",
        "spanIdKey": "spanId",
    }


def test_events_page_both_ways_with_tokens(console: LocalMemoryServer, stored: Any) -> None:
    memory_id, ids = stored["memoryId"], stored["ids"]
    scope = {"memoryId": memory_id, "actorId": "alice", "sessionId": "s1", "maxResults": 2}
    for order, expected in [("newest", [5.0, 3.0, 2.0, 1.0]), ("oldest", [1.0, 2.0, 3.0, 5.0])]:
        seen, token, pages = [], None, 0
        while True:
            page = call(console, "/events", order=order, nextToken=token, **scope)
            assert len(page["events"]) <= 2
            assert ("liveCursor" in page) == (token is None)
            seen += [e["eventId"] for e in page["events"]]
            pages += 1
            token = page["nextToken"]
            if token is None:
                break
        assert seen == [ids[ts] for ts in expected]
        assert pages == 2
    # A token of one order is refused by the other, not misread.
    first = call(console, "/events", order="newest", **scope)
    status, body = call(console, "/events", order="oldest", nextToken=first["nextToken"], **scope)
    assert status == 400 and "nextToken" in body["error"]


def test_an_event_is_decoded_with_its_stamp(console: LocalMemoryServer, stored: Any) -> None:
    page = call(console, "/events", memoryId=stored["memoryId"], actorId="bob", sessionId="s2")
    (event,) = page["events"]
    assert event["traceId"] == TRACE_A and event["spanId"] == "00f067aa0ba902b7"
    assert [m["key"] for m in event["metadata"]] == ["traceId", "spanId"]
    assert event["time"] == {
        "iso": "1970-01-01T00:00:04.000Z",
        "display": "1970-01-01 00:00:04.000 UTC",
    }
    # Plain conversational text (not written by a session manager) is a message of its role.
    assert event["items"] == [
        {
            "kind": "message",
            "role": "user",
            "agentId": None,
            "messageId": None,
            "blocks": [{"type": "text", "text": "at 4.0"}],
        }
    ]


def test_items_that_do_not_decode_are_shown_raw(console: LocalMemoryServer, stored: Any) -> None:
    stored["data"].create_event(
        memoryId=stored["memoryId"],
        actorId="carol",
        sessionId="s3",
        eventTimestamp=9.0,
        payload=[{"blob": {"anything": [1, 2]}}, text("hello", "ASSISTANT")],
    )
    page = call(console, "/events", memoryId=stored["memoryId"], actorId="carol", sessionId="s3")
    raw, message = page["events"][0]["items"]
    assert raw["kind"] == "raw" and '"anything"' in raw["json"]
    assert message["role"] == "assistant" and message["blocks"][0]["text"] == "hello"


def test_trace_lookup_spans_the_memory_in_any_form(console: LocalMemoryServer, stored: Any) -> None:
    memory_id, ids = stored["memoryId"], stored["ids"]
    xray = f"1-{TRACE_A[:8]}-{TRACE_A[8:]}"
    for form in [TRACE_A, TRACE_A.upper(), xray, "0x" + TRACE_A]:
        answer = call(console, "/trace", memoryId=memory_id, traceId=form)
        assert answer["traceId"] == TRACE_A
        found = [(e["actorId"], e["eventId"]) for e in answer["events"]]
        assert found == [("alice", ids[1.0]), ("bob", ids[4.0]), ("alice", ids[5.0])]
    narrowed = call(console, "/trace", memoryId=memory_id, traceId=TRACE_A, actorId="alice")
    assert [e["eventId"] for e in narrowed["events"]] == [ids[1.0], ids[5.0]]
    paged = call(console, "/trace", memoryId=memory_id, traceId=TRACE_A, maxResults=2)
    rest = call(
        console, "/trace", memoryId=memory_id, traceId=TRACE_A, nextToken=paged["nextToken"]
    )
    assert [e["eventId"] for e in paged["events"] + rest["events"]] == [
        ids[1.0],
        ids[4.0],
        ids[5.0],
    ]
    status, body = call(console, "/trace", memoryId=memory_id, traceId="not-a-trace")
    assert status == 400 and "1-5759e988-bd862e3fe1be46a994272793" in body["error"]


def test_the_first_trace_page_counts_every_page(console: LocalMemoryServer, stored: Any) -> None:
    memory_id = stored["memoryId"]
    first = call(console, "/trace", memoryId=memory_id, traceId=TRACE_A, maxResults=1)
    assert first["count"] == 3 and len(first["events"]) == 1
    rest = call(
        console, "/trace", memoryId=memory_id, traceId=TRACE_A, nextToken=first["nextToken"]
    )
    assert "count" not in rest  # counted once, with the first page
    narrowed = call(console, "/trace", memoryId=memory_id, traceId=TRACE_A, actorId="bob")
    assert narrowed["count"] == len(narrowed["events"]) == 1
    unknown = call(console, "/trace", memoryId=memory_id, traceId="f" * 32)
    assert (unknown["count"], unknown["events"]) == (0, [])


def test_a_trace_id_alone_offers_only_the_memories_holding_it(
    console: LocalMemoryServer, stored: Any
) -> None:
    control = console.client("bedrock-agentcore-control")
    other = control.create_memory(name="other", eventExpiryDuration=30)["memory"]["id"]
    put(stored["data"], other, 1.0, metadata=meta(traceId=TRACE_B))
    assert {m["id"] for m in call(console, "/memories")["memories"]} == {stored["memoryId"], other}
    holding_a = call(console, "/memories", traceId=f"1-{TRACE_A[:8]}-{TRACE_A[8:]}")
    assert [m["id"] for m in holding_a["memories"]] == [stored["memoryId"]]
    assert (holding_a["traceId"], holding_a["nextToken"]) == (TRACE_A, None)
    holding_b = call(console, "/memories", traceId=TRACE_B)["memories"]
    assert [m["id"] for m in holding_b] == [other, stored["memoryId"]]  # newest first
    assert call(console, "/memories", traceId="f" * 32)["memories"] == []
    status, body = call(console, "/memories", traceId="nope")
    assert status == 400 and "trace id" in body["error"]


def test_trace_lookup_uses_the_trace_index(console: LocalMemoryServer) -> None:
    with console.backend.db.read() as conn:
        plan = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT * FROM events WHERE memory_id = ? AND {TRACE_ID_SQL} = ?",
            ("m", TRACE_A),
        ).fetchall()
    assert "USING INDEX events_trace" in " ".join(str(row[3]) for row in plan)


def test_live_cursor_returns_what_arrives(console: LocalMemoryServer, stored: Any) -> None:
    scope = {"memoryId": stored["memoryId"], "actorId": "alice", "sessionId": "s1"}
    cursor = call(console, "/events", **scope)["liveCursor"]
    assert call(console, "/events/live", cursor=cursor, **scope)["events"] == []
    # An event stamped in the past still shows as new: arrival, not timestamp, counts.
    late = put(stored["data"], stored["memoryId"], 0.5, actor="alice", session="s1")
    put(stored["data"], stored["memoryId"], 6.0, actor="bob", session="s2")  # another session
    answer = call(console, "/events/live", cursor=cursor, **scope)
    assert [e["eventId"] for e in answer["events"]] == [late["eventId"]]
    assert call(console, "/events/live", cursor=answer["cursor"], **scope)["events"] == []


def test_records_by_namespace(console: LocalMemoryServer, stored: Any) -> None:
    memory_id = stored["memoryId"]
    stored["data"].batch_create_memory_records(
        memoryId=memory_id,
        records=[
            {
                "requestIdentifier": f"r{i}",
                "namespaces": [namespace],
                "content": {"text": f"fact {i}"},
                "timestamp": float(i),
            }
            for i, namespace in enumerate(["/users/alice", "/users/alice", "/users/bob"])
        ],
    )
    assert call(console, "/namespaces", memoryId=memory_id)["namespaces"] == [
        {"namespace": "/users/alice", "records": 2},
        {"namespace": "/users/bob", "records": 1},
    ]
    records = call(console, "/records", memoryId=memory_id, namespace="/users/alice")
    assert sorted(r["text"] for r in records["records"]) == ["fact 0", "fact 1"]


def test_delete_removes_one_event(console: LocalMemoryServer, stored: Any) -> None:
    memory_id, ids = stored["memoryId"], stored["ids"]
    scope = {"memoryId": memory_id, "actorId": "bob", "sessionId": "s2"}
    assert call(console, "/event", "DELETE", eventId=ids[4.0], **scope) == {"deleted": ids[4.0]}
    assert call(console, "/events", **scope)["events"] == []
    status, body = call(console, "/event", "DELETE", eventId=ids[4.0], **scope)
    assert status == 404 and ids[4.0] in body["error"]
    # GET cannot delete.
    status, _ = call(console, "/event", eventId=ids[1.0], memoryId=memory_id)
    assert status == 404


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("/actors", {}, 400, "memoryId is required"),
        ("/actors", {"memoryId": "nope-0123456789"}, 404, "nope-0123456789 not found"),
        ("/events", {"actorId": "a", "sessionId": "s"}, 400, "memoryId is required"),
        ("/sessions", {"memoryId": "MEMORY"}, 400, "actorId is required"),
        ("/actors", {"memoryId": "MEMORY", "maxResults": "0"}, 400, "from 1 to 100"),
        (
            "/events",
            {"memoryId": "MEMORY", "actorId": "a", "sessionId": "s", "order": "up"},
            400,
            "newest or oldest",
        ),
        ("/actors", {"memoryId": "MEMORY", "nextToken": "garbage"}, 400, "nextToken"),
    ],
)
def test_bad_requests_name_the_parameter(
    console: LocalMemoryServer,
    stored: Any,
    path: str,
    params: dict[str, str],
    status: int,
    message: str,
) -> None:
    filled = {k: v.replace("MEMORY", stored["memoryId"]) for k, v in params.items()}
    answer = call(console, path, **filled)
    assert answer[0] == status and message in answer[1]["error"]


def test_page_and_files_are_served_with_a_strict_policy(console: LocalMemoryServer) -> None:
    with urllib.request.urlopen(console.console_url) as response:
        page = response.read().decode()
        policy = response.headers["Content-Security-Policy"]
    assert '<script src="/console/static/console.js"' in page
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    for name, kind in [
        ("console.js", "text/javascript"),
        ("dom.js", "text/javascript"),
        ("events.js", "text/javascript"),
        ("console.css", "text/css"),
    ]:
        with urllib.request.urlopen(f"{console.console_url}/static/{name}") as response:
            assert response.headers["Content-Type"].startswith(kind)
            assert len(response.read()) > 1000
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{console.console_url}/static/..%2Fapi.py")


def test_the_console_leaves_the_wire_api_alone(console: LocalMemoryServer, stored: Any) -> None:
    call(console, "/actors", memoryId=stored["memoryId"])
    assert "ListActors" not in console.stats.snapshot()


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("http://localhost:16686/trace/", "must contain {traceId}"),
        ("javascript:alert({traceId})", "http:// or https://"),
        ("localhost:16686/{traceId}", "http:// or https://"),
    ],
)
def test_trace_url_must_be_a_template(
    template: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValueError, match=problem.replace("{", r"\{").replace("}", r"\}")):
        check_trace_url(template)
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve", "--trace-url", template])
    assert exited.value.code == 2
    assert problem in capsys.readouterr().err


def test_trace_url_accepts_a_jaeger_template() -> None:
    args = build_parser().parse_args(["serve", "--trace-url", TRACE_URL])
    assert args.trace_url == TRACE_URL


def test_serve_prints_the_console_and_links_traces(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agentcore_memory_otel",
            "serve",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "serve.db"),
            "--trace-url",
            TRACE_URL,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/console/api/config") as response:
            assert json.load(response)["traceUrl"] == TRACE_URL
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0].decode()
    assert f"Memory console: http://127.0.0.1:{port}/console" in output


def test_a_memory_shows_its_strategies(console: LocalMemoryServer) -> None:
    control = console.client("bedrock-agentcore-control")
    strategy = {"name": "facts", "namespaces": ["/facts/{actorId}"]}
    memory_id = control.create_memory(
        name="with_strategy",
        eventExpiryDuration=30,
        memoryStrategies=[{"semanticMemoryStrategy": strategy}],
    )["memory"]["id"]
    (shown,) = call(console, "/memory", memoryId=memory_id)["strategies"]
    assert (shown["name"], shown["type"], shown["namespaces"]) == (
        "facts",
        "SEMANTIC",
        ["/facts/{actorId}"],
    )


def test_no_other_site_may_delete(console: LocalMemoryServer, stored: Any) -> None:
    """A cross-origin DELETE needs a CORS pre-flight; the server grants none."""
    preflight = urllib.request.Request(
        f"{console.console_url}/api/event",
        method="OPTIONS",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "DELETE"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(preflight)
    # Refused for its foreign Origin before any route is matched (local/trust.py).
    assert refused.value.code == 403
    assert refused.value.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert "Access-Control-Allow-Origin" not in refused.value.headers
