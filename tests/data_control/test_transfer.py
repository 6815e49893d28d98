"""Export a session to JSON Lines and import it into another memory: it restores the same."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.data_control import export_events, import_events
from agentcore_memory_otel.session.data_control.lines import LineError

from ..session import restore_child
from ..support import RETRIES
from .conftest import NO_PACING

CHILD = Path(restore_child.__file__)
ROOT = Path(__file__).parents[2]
SESSION = "trip"
ACTOR = "restorer"  # restore_child's actor


def _restored_in_fresh_process(endpoint: str, memory_id: str) -> dict[str, Any]:
    """What an agent restored from the session holds, in a process of its own."""
    spec = {"backend": "ours", "endpoint": endpoint, "memory_id": memory_id, "session": SESSION}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, str(CHILD), json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    reports: list[dict[str, Any]] = json.loads(done.stdout.splitlines()[-1])
    return reports[0]


def _events(client: Any, memory_id: str, session: str = SESSION) -> list[dict[str, Any]]:
    """Every event of the session, oldest first."""
    found: list[dict[str, Any]] = []
    token = None
    while True:
        extra: dict[str, Any] = {"nextToken": token} if token else {}
        page = client.list_events(
            memoryId=memory_id, actorId=ACTOR, sessionId=session, maxResults=100, **extra
        )
        found += page["events"]
        token = page.get("nextToken")
        if not token:
            return list(reversed(found))


def _content(events: list[dict[str, Any]]) -> list[Any]:
    """The events as compared across memories: ids replaced by their place in the session."""
    places = {e["eventId"]: i for i, e in enumerate(events)}
    return [
        {
            "timestamp": e["eventTimestamp"],
            "payload": e["payload"],
            "metadata": e.get("metadata"),
            "branch": e["branch"]["name"],
            "root": places.get(e["branch"].get("rootEventId", "")),
        }
        for e in events
    ]


@pytest.fixture
def source(server: LocalMemoryServer, memory_id: str) -> str:
    """A session written by a real agent (tool use, interrupt, several turns), and a branch."""
    spec = {
        "backend": "ours",
        "endpoint": server.endpoint_url,
        "memory_id": memory_id,
        "session": SESSION,
        "script": [{"tool": "echo", "input": {"text": "héllo \U0001f600"}}, "echoed", "bye"],
        "steps": ["say hello", "thanks"],
    }
    restore_child.run(spec)
    client = server.client(config=RETRIES)
    first = _events(client, memory_id)[0]["eventId"]
    for i in range(2):
        client.create_event(
            memoryId=memory_id,
            actorId=ACTOR,
            sessionId=SESSION,
            eventTimestamp=time.time() + i / 1000,
            payload=[{"blob": {"what-if": i}}],
            branch={"name": "alt", "rootEventId": first},
            metadata={"traceId": {"stringValue": "4bf92f3577b34da6a3ce929d0e0e4736"}},
        )
    return memory_id


def _other_memory(server: LocalMemoryServer) -> str:
    control = server.client("bedrock-agentcore-control")
    return str(control.create_memory(name="target", eventExpiryDuration=30)["memory"]["id"])


def test_export_then_import_round_trips_a_session_exactly(
    server: LocalMemoryServer, source: str, tmp_path: Path
) -> None:
    client = server.client(config=RETRIES)
    target = _other_memory(server)
    path = tmp_path / "trip.jsonl"
    exported = export_events(
        source, ACTOR, SESSION, output=path, client=client, rate_limits=NO_PACING
    )
    original = _events(client, source)
    assert exported.events == len(original) and exported.sessions == 1
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["eventId"] for line in lines] == [e["eventId"] for e in original]
    assert lines[-1]["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert {line["branch"]["name"] for line in lines} == {"main", "alt"}

    server.stats.reset()
    imported = import_events(path, memory_id=target, client=client, rate_limits=NO_PACING)
    assert imported.events == len(original) and imported.sessions == [(ACTOR, SESSION)]
    assert server.stats.count("CreateEvent") == len(original)  # one call per event
    copy = _events(client, target)
    assert _content(copy) == _content(original)
    roots = {e["branch"].get("rootEventId") for e in copy} - {None}
    assert roots == {copy[0]["eventId"]}  # the branch's root, mapped to the new id

    # A rerun stores nothing twice: the clientTokens repeat.
    again = import_events(path, memory_id=target, client=client, rate_limits=NO_PACING)
    assert again.event_ids == imported.event_ids
    assert _content(_events(client, target)) == _content(original)

    # The imported session restores, in a fresh process, to exactly what the original does.
    restored = _restored_in_fresh_process(server.endpoint_url, target)
    assert restored == _restored_in_fresh_process(server.endpoint_url, source)
    assert any(
        "héllo \U0001f600" in json.dumps(m, ensure_ascii=False) for m in restored["messages"]
    )

    # And it exports to the same lines, but for the memory and event ids.
    second = io.StringIO()
    export_events(target, ACTOR, SESSION, output=second, client=client, rate_limits=NO_PACING)
    ids = {**{e["eventId"]: i for i, e in enumerate(original)}}
    ids.update({e["eventId"]: i for i, e in enumerate(copy)})

    def comparable(line: dict[str, Any]) -> dict[str, Any]:
        branch = dict(line["branch"])
        if "rootEventId" in branch:
            branch["rootEventId"] = ids[branch["rootEventId"]]
        return {**line, "memoryId": None, "eventId": ids[line["eventId"]], "branch": branch}

    assert [comparable(json.loads(x)) for x in second.getvalue().splitlines()] == [
        comparable(line) for line in lines
    ]


def test_an_interrupted_import_finishes_on_rerun_without_duplicates(
    server: LocalMemoryServer, source: str, tmp_path: Path
) -> None:
    client = server.client(config=RETRIES)
    target = _other_memory(server)
    path = tmp_path / "trip.jsonl"
    export_events(source, ACTOR, SESSION, output=path, client=client, rate_limits=NO_PACING)
    total = len(path.read_text().splitlines())
    # Stored, then answered 500 (the client retries: its token makes it one event); then a
    # storm of 403s ends the first run part way.
    server.faults.commit_then_fail(2)
    server.faults.fail_next("CreateEvent", 50, status=403, after=total // 2)
    with pytest.raises(Exception, match="AccessDenied"):
        import_events(path, memory_id=target, client=client, rate_limits=NO_PACING)
    partial = len(_events(client, target))
    assert 0 < partial < total
    server.faults.reset()
    import_events(path, memory_id=target, client=client, rate_limits=NO_PACING)
    assert _content(_events(client, target)) == _content(_events(client, source))


def test_import_renames_the_actor_and_session_and_keeps_branches(
    server: LocalMemoryServer, source: str, tmp_path: Path
) -> None:
    client = server.client(config=RETRIES)
    path = tmp_path / "trip.jsonl"
    export_events(source, ACTOR, SESSION, output=path, client=client, rate_limits=NO_PACING)
    report = import_events(
        path,
        memory_id=source,
        actor_id=ACTOR,
        session_id="trip-copy",
        client=client,
        rate_limits=NO_PACING,
    )
    assert report.sessions == [(ACTOR, "trip-copy")]
    assert _content(_events(client, source, "trip-copy")) == _content(_events(client, source))


GOOD = {
    "memoryId": "m-0123456789",
    "actorId": "a",
    "sessionId": "s",
    "eventId": "0000001700000000000#abcdef01",
    "eventTimestamp": "2023-11-14T22:13:20.000Z",
    "branch": {"name": "main"},
    "payload": [{"conversational": {"role": "USER", "content": {"text": "hi"}}}],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"actorId": "bad actor!"}, "line 2: actorId 'bad actor!' must match the pattern"),
        ({"sessionId": "s" * 101}, "line 2: sessionId must have at most 100 characters"),
        ({"eventTimestamp": "yesterday"}, "line 2: eventTimestamp 'yesterday' is not an ISO"),
        ({"eventTimestamp": "2023-11-14T22:13:20"}, "line 2: eventTimestamp .* has no time zone"),
        ({"eventTimestamp": "1969-12-31T23:59:59.000Z"}, "is outside 1970-01-01 to 9999-12-31"),
        ({"payload": [{}] * 101}, "line 2: payload has 101 items; an event holds at most 100"),
        (
            {"payload": [{"conversational": {"role": "user", "content": {"text": "x"}}}]},
            r"line 2: payload\[0\].conversational.role must be one of",
        ),
        (
            {"payload": [{"conversational": {"role": "USER", "content": {"text": ""}}}]},
            r"payload\[0\].conversational.content.text must be a string of 1 to 100000",
        ),
        ({"payload": [{"blob": 1, "json": 2}]}, r"payload\[0\] must be an object with exactly"),
        ({"metadata": {f"k{i}": {"stringValue": "v"} for i in range(16)}}, "16 keys; .* 15"),
        ({"metadata": {"k": {"stringValue": "\ud800"}}}, r"metadata\['k'\] .* must match"),
        (
            {"payload": [{"conversational": {"role": "USER", "content": {"text": "a\udc00"}}}]},
            r"line 2: the event holds a lone UTF-16 surrogate \('\\udc00'\), which the API",
        ),
        ({"branch": {"name": "alt"}}, "branch.rootEventId is required on branch 'alt'"),
        (
            {"branch": {"name": "alt", "rootEventId": "0000001#abc"}},
            "branch.rootEventId 0000001#abc is not an earlier event of session s",
        ),
        ({"eventId": "0000001700000000000#abcdef00"}, "eventId .* appears twice"),
    ],
)
def test_a_bad_line_is_refused_before_anything_is_sent(
    server: LocalMemoryServer, memory_id: str, change: dict[str, Any], message: str
) -> None:
    first = {**GOOD, "eventId": "0000001700000000000#abcdef00"}
    lines = [json.dumps(first), json.dumps({**GOOD, **change})]
    server.stats.reset()
    with pytest.raises(LineError, match=message):
        import_events(lines, memory_id=memory_id, client=server.client())
    assert server.stats.count() == 0


def test_a_file_that_is_not_an_export_is_refused_by_line(
    server: LocalMemoryServer, memory_id: str
) -> None:
    with pytest.raises(LineError, match="line 1: not JSON"):
        import_events(["{oops"], memory_id=memory_id, client=server.client())
    with pytest.raises(LineError, match="line 3: not a JSON object"):
        import_events([json.dumps(GOOD), "\n", "[1]"], memory_id=memory_id, client=server.client())


def test_renaming_needs_a_file_of_one_actor_or_session(
    server: LocalMemoryServer, memory_id: str
) -> None:
    lines = [json.dumps(GOOD), json.dumps({**GOOD, "sessionId": "t"})]
    with pytest.raises(ValueError, match="session_id renames one session; the file holds 2"):
        import_events(lines, memory_id=memory_id, session_id="x", client=server.client())
