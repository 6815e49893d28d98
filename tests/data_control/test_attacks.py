"""Erase, export and import under hostile data, bad input, concurrent writers and paging."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from agentcore_memory_otel.cli.main import main
from agentcore_memory_otel.local import LocalMemoryServer
from agentcore_memory_otel.session.data_control import erase, export_events, import_events

from ..support import RETRIES
from .conftest import NO_PACING


def _create(client: Any, memory_id: str, session: str, payload: list[Any], **extra: Any) -> str:
    answer = client.create_event(
        memoryId=memory_id,
        actorId="eve",
        sessionId=session,
        eventTimestamp=time.time(),
        payload=payload,
        **extra,
    )
    return str(answer["event"]["eventId"])


def _all(client: Any, memory_id: str, session: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token = None
    while True:
        extra: dict[str, Any] = {"nextToken": token} if token else {}
        page = client.list_events(
            memoryId=memory_id, actorId="eve", sessionId=session, maxResults=100, **extra
        )
        found += page["events"]
        token = page.get("nextToken")
        if not token:
            return found


def test_erase_pages_through_a_long_session_with_exact_calls(
    server: LocalMemoryServer, memory_id: str
) -> None:
    client = server.client(config=RETRIES)
    text = {"conversational": {"role": "USER", "content": {"text": "x"}}}
    for _ in range(250):
        _create(client, memory_id, "long", [text])
    report = erase(memory_id, "eve", client=client, records=False, rate_limits=NO_PACING)
    assert report.complete and len(report.plan.events) == 250
    # Survey: 1 ListSessions, 3 pages of events; verify: the session is gone, 1 ListSessions.
    assert report.calls == {"ListSessions": 2, "ListEvents": 3, "DeleteEvent": 250}


def test_unicode_edge_cases_round_trip_through_a_file(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    client = server.client(config=RETRIES)
    hostile = "NUL \x00, RTL \u202e, emoji \U0001f600, e\u0301, \uffff, \U0010ffff"
    text = {"conversational": {"role": "USER", "content": {"text": hostile}}}
    _create(client, memory_id, "u", [text])
    _create(client, memory_id, "u", [{"blob": {hostile: [hostile, None, 1.5, True]}}])
    path = tmp_path / "u.jsonl"
    export_events(memory_id, "eve", "u", output=path, client=client, rate_limits=NO_PACING)
    path.read_bytes().decode("ascii")  # every non-ASCII character escaped
    import_events(path, memory_id=memory_id, session_id="u2", client=client, rate_limits=NO_PACING)
    assert [e["payload"] for e in _all(client, memory_id, "u2")] == [
        e["payload"] for e in _all(client, memory_id, "u")
    ]


def test_a_failed_export_leaves_the_previous_file_and_no_temporary_one(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    client = server.client(config=RETRIES)
    _create(client, memory_id, "s", [{"blob": 1}])
    _create(client, memory_id, "t", [{"blob": 2}])
    path = tmp_path / "eve.jsonl"
    path.write_text("previous\n")
    server.faults.fail_next("ListEvents", 10, status=403, after=1)
    with pytest.raises(ClientError, match="AccessDenied"):
        export_events(memory_id, "eve", output=path, client=client, rate_limits=NO_PACING)
    assert path.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eve.jsonl"]


def test_a_misspelt_memory_is_an_error_not_nothing_to_erase(server: LocalMemoryServer) -> None:
    client = server.client(config=RETRIES)
    for session in (None, "s"):
        with pytest.raises(ClientError, match="ResourceNotFound"):
            erase("nomemory-0123456789", "eve", session, client=client, records=False)


def test_bad_arguments_name_the_field_and_the_limit(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    client = server.client()
    server.stats.reset()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"actor_id": "eve@example.com"}, "actor_id 'eve@example.com' must match the pattern"),
        ({"session_id": "a/b"}, "session_id 'a/b' must match the pattern"),
        ({"memory_id": "short"}, "memory_id must have at least 12 characters"),
        ({"max_passes": 0}, "max_passes must be at least 1"),
        ({"attempts": 0}, "attempts must be at least 1"),
        ({"namespace_templates": [""]}, "namespace_templates: a template is a non-empty"),
        ({"namespace_templates": "/notes/{actorId}"}, "a list of templates, got one string"),
    ]
    for change, message in cases:
        arguments: dict[str, Any] = {"memory_id": memory_id, "actor_id": "eve", **change}
        with pytest.raises(ValueError, match=message):
            erase(client=client, records=False, **arguments)
    with pytest.raises(FileNotFoundError, match="journal_path"):
        erase(memory_id, "eve", client=client, journal_path=tmp_path / "none.db")
    assert server.stats.count() == 0  # nothing was called


def test_a_journal_that_is_not_sqlite_or_holds_foreign_rows(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    client = server.client(config=RETRIES)
    _create(client, memory_id, "s", [{"blob": 1}])
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        erase(memory_id, "eve", client=client, records=False, journal_path=garbage)
    assert _all(client, memory_id, "s")  # refused before anything was deleted
    # A journal with rows this code never wrote: they are left alone, not crashed on.
    journal = tmp_path / "journal.db"
    with sqlite3.connect(journal) as db:
        db.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, scope TEXT, body TEXT)")
        scopes = ["not json", "null", "[1, 2, 3]", '["m"]', json.dumps([memory_id, ["eve"], "s"])]
        scopes.append(
            json.dumps([f"arn:aws:bedrock-agentcore:us-east-1:1:memory/{memory_id}", "eve", "s"])
        )
        db.executemany("INSERT INTO entries (scope, body) VALUES (?, '')", [(s,) for s in scopes])
    report = erase(memory_id, "eve", client=client, records=False, journal_path=journal)
    assert report.complete and report.plan.journal_rows == 1  # the ARN-keyed row is Eve's
    with sqlite3.connect(journal) as db:
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 5


def test_a_writer_during_the_erase_is_caught_by_the_next_round_or_reported(
    server: LocalMemoryServer, memory_id: str
) -> None:
    client = server.client(config=RETRIES)
    for _ in range(20):
        _create(client, memory_id, "s", [{"blob": 1}])
    server.faults.set_latency(0.01, "DeleteEvent")
    stop = threading.Event()

    def write() -> None:
        writer = server.client(config=RETRIES)
        while not stop.is_set():
            _create(writer, memory_id, "s", [{"blob": "late"}])
            time.sleep(0.02)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        report = erase(memory_id, "eve", client=client, records=False, rate_limits=NO_PACING)
    finally:
        stop.set()
        thread.join()
    # Each round deletes what the last survey found; a writer that never stops outlives 3.
    assert report.passes == 3 and not report.complete
    assert report.remaining is not None and report.remaining.events
    server.faults.reset()
    again = erase(memory_id, "eve", client=client, records=False, rate_limits=NO_PACING)
    assert again.complete and _all(client, memory_id, "s") == []


def test_export_to_a_folder_that_does_not_exist_is_one_line(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _create(server.client(), memory_id, "s", [{"blob": 1}])
    target = ["--memory-id", memory_id, "--actor-id", "eve", "--endpoint-url", server.endpoint_url]
    status = main(["export", *target, "--output", str(tmp_path / "no" / "x.jsonl")])
    err = capsys.readouterr().err
    assert status == 1 and "cannot write" in err and "No such file" in err
    assert len(err.strip().splitlines()) == 1


def test_importing_again_into_an_erased_target_is_refused_not_silent(
    server: LocalMemoryServer, memory_id: str, tmp_path: Path
) -> None:
    from agentcore_memory_otel.session.data_control.transfer import ImportRefused

    client = server.client(config=RETRIES)
    _create(client, memory_id, "s", [{"blob": 1}])
    path = tmp_path / "s.jsonl"
    export_events(memory_id, "eve", "s", output=path, client=client, rate_limits=NO_PACING)
    import_events(path, memory_id=memory_id, session_id="copy", client=client)
    assert erase(memory_id, "eve", "copy", client=client, records=False).complete
    with pytest.raises(ImportRefused, match=r"line 1: .* has since been deleted"):
        import_events(path, memory_id=memory_id, session_id="copy", client=client)
    import_events(path, memory_id=memory_id, session_id="copy2", client=client)
    assert len(_all(client, memory_id, "copy2")) == 1


def test_emptied_sessions_stay_listed_for_a_day_as_on_the_service(tmp_path: Path) -> None:
    """With the default, the erase is complete; the emptied ids are listed without events."""
    with LocalMemoryServer() as server:
        control = server.client("bedrock-agentcore-control")
        memory_id = control.create_memory(name="m", eventExpiryDuration=30)["memory"]["id"]
        client = server.client(config=RETRIES)
        _create(client, memory_id, "s", [{"blob": 1}])
        report = erase(memory_id, "eve", client=client, records=False, rate_limits=NO_PACING)
        assert report.complete and report.remaining is not None
        assert report.remaining.sessions == ["s"]
        listed = client.list_sessions(memoryId=memory_id, actorId="eve")["sessionSummaries"]
        assert [s["sessionId"] for s in listed] == ["s"]
        with_events = client.list_sessions(
            memoryId=memory_id, actorId="eve", filter={"eventFilter": "HAS_EVENTS"}
        )
        assert with_events["sessionSummaries"] == []
        # A day later (the clock moved on), they are gone, the actor with them.
        server.backend.events.empty_session_seconds = 0.001
        time.sleep(0.01)
        assert client.list_sessions(memoryId=memory_id, actorId="eve")["sessionSummaries"] == []
        assert client.list_actors(memoryId=memory_id)["actorSummaries"] == []
        # An event in an emptied session brings it back.
        _create(client, memory_id, "s", [{"blob": 2}])
        listed = client.list_sessions(memoryId=memory_id, actorId="eve")["sessionSummaries"]
        assert [s["sessionId"] for s in listed] == ["s"]
