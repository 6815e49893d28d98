"""Erase an actor or a session on the local server: nothing left in any read, nor the journal."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.testclient import TestClient

from agentcore_memory_otel.local.app import create_app
from agentcore_memory_otel.session.data_control import erase

from .conftest import ALICE, BOB, NO_PACING, World, events, records


def _journal_scopes(journal: Path) -> list[list[str]]:
    with sqlite3.connect(journal) as db:
        rows = db.execute(
            "SELECT scope FROM entries UNION ALL SELECT scope FROM planned"
            " UNION ALL SELECT scope FROM redactions"
        ).fetchall()
    return [json.loads(scope) for (scope,) in rows]


def _console(world: World) -> TestClient:
    app = create_app(world.server.backend, world.server.faults, world.server.stats)
    return TestClient(app, base_url="http://127.0.0.1")


def _console_get(console: TestClient, path: str, **query: str) -> dict[str, Any]:
    answer = console.get(f"/console/api/{path}", params=query)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _erase(world: World, actor: str, session: str | None = None, **kwargs: Any) -> Any:
    return erase(
        world.memory_id,
        actor,
        session,
        client=world.client,
        control_client=world.control,
        journal_path=world.journal,
        rate_limits=NO_PACING,
        **kwargs,
    )


def test_erasing_an_actor_leaves_nothing_in_any_read_nor_the_journal(world: World) -> None:
    before_bob = {s: events(world, BOB, s) for s in ("s1", "s2", "s3")}
    assert any(scope[1] == ALICE for scope in _journal_scopes(world.journal))
    alice_records = [r for r in records(world) if f"/actors/{ALICE}/" in r["namespaces"][0]]
    assert len(alice_records) >= 2

    dry = _erase(world, ALICE, dry_run=True)
    assert dry.dry_run and dry.remaining is None
    assert {e.session_id for e in dry.plan.events} == {"s1", "s2", "s3"}
    assert {e.branch for e in dry.plan.events} == {"main", "what-if"}
    assert {r.record_id for r in dry.plan.records} >= {r["memoryRecordId"] for r in alice_records}
    assert dry.plan.journal_rows
    assert [s.template for s in dry.plan.skipped_templates] == []
    # A dry run deletes nothing.
    assert events(world, ALICE, "s2") and dry.calls.get("DeleteEvent", 0) == 0

    report = _erase(world, ALICE)
    assert report.complete and report.passes == 1
    assert len(report.plan.events) == len(dry.plan.events)
    assert report.calls["DeleteEvent"] == len(dry.plan.events)  # one call per event, no retry
    assert report.calls["BatchDeleteMemoryRecords"] == 1

    # ListEvents, ListSessions (with and without the HAS_EVENTS filter), ListActors.
    for session in ("s1", "s2", "s3"):
        assert events(world, ALICE, session) == []
    listed = world.client.list_sessions(memoryId=world.memory_id, actorId=ALICE)
    assert listed["sessionSummaries"] == []
    actors = world.client.list_actors(memoryId=world.memory_id)["actorSummaries"]
    assert [a["actorId"] for a in actors] == [BOB]
    # ListMemoryRecords: none of Alice's; Bob's and the shared namespace's stay.
    left = records(world)
    assert not [r for r in left if ALICE in r["namespaces"][0]]
    assert [r for r in left if BOB in r["namespaces"][0]]
    # A namespace no template names for her is not hers to erase, though a text names her.
    shared = sorted(r["content"]["text"] for r in left if r["namespaces"][0] == "/shared/")
    assert shared == sorted([f"{ALICE} fact 2", f"{BOB} fact 2"])
    # The console.
    console = _console(world)
    assert ALICE not in json.dumps(_console_get(console, "actors", memoryId=world.memory_id))
    sessions = _console_get(console, "sessions", memoryId=world.memory_id, actorId=ALICE)
    assert sessions["sessions"] == []
    for session in ("s1", "s2", "s3"):
        page = _console_get(
            console, "events", memoryId=world.memory_id, actorId=ALICE, sessionId=session
        )
        assert page["events"] == []
    namespaces = _console_get(console, "namespaces", memoryId=world.memory_id)
    assert ALICE not in json.dumps(namespaces)
    # The journal: Alice's rows gone, Bob's kept.
    scopes = _journal_scopes(world.journal)
    assert not [s for s in scopes if s[1] == ALICE]
    assert [s for s in scopes if s[1] == BOB]
    # Bob is untouched.
    assert {s: events(world, BOB, s) for s in ("s1", "s2", "s3")} == before_bob
    # Nothing of Alice's conversation in the server's database either: the remembered
    # answers of her CreateEvents keep their ids only.
    with world.server.backend.db.read() as conn:
        dump = "\n".join(conn.iterdump())
    assert f"I am {BOB} and I like green tea" in dump
    assert f"I am {ALICE}" not in dump


def test_erasing_a_session_leaves_the_actors_other_sessions(world: World) -> None:
    report = _erase(world, ALICE, "s1")
    assert report.complete
    assert {e.session_id for e in report.plan.events} == {"s1"}
    # Only the record whose namespace holds this session goes; the actor's facts stay.
    assert [r.namespace for r in report.plan.records] == [
        f"/strategies/{world.strategies['summaries']}/actors/{ALICE}/sessions/s1/"
    ]
    assert [s.reason for s in report.plan.skipped_templates] == [
        "no {sessionId}: records of the actor, not a session"
    ]
    assert events(world, ALICE, "s1") == []
    assert events(world, ALICE, "s2") and events(world, ALICE, "s3")
    listed = world.client.list_sessions(memoryId=world.memory_id, actorId=ALICE)
    assert sorted(s["sessionId"] for s in listed["sessionSummaries"]) == ["s2", "s3"]
    # The journal rows of s3 stay.
    assert [s for s in _journal_scopes(world.journal) if s[1] == ALICE and s[2] == "s3"]


def test_an_erase_run_again_finds_nothing_and_deletes_nothing(world: World) -> None:
    assert _erase(world, ALICE).complete
    again = _erase(world, ALICE)
    assert again.complete and again.plan.empty and again.passes == 0
    assert "DeleteEvent" not in again.calls and "BatchDeleteMemoryRecords" not in again.calls


@pytest.mark.parametrize("status", [429, 500])
def test_an_erase_rides_out_a_storm_of_errors(world: World, status: int) -> None:
    world.server.faults.fail_next("DeleteEvent", 12, status=status)
    world.server.faults.fail_next("ListEvents", 3, status=status)
    report = _erase(world, ALICE)
    assert report.complete
    assert world.server.stats.count("DeleteEvent", outcome="success") == len(report.plan.events)


def test_a_delete_answered_500_after_it_committed_counts_as_done(world: World) -> None:
    world.server.faults.commit_then_fail(5, "DeleteEvent")
    world.server.faults.commit_then_fail(1, "BatchDeleteMemoryRecords")
    report = _erase(world, ALICE)
    assert report.complete and report.passes == 1
    assert events(world, ALICE, "s2") == []


def test_an_erase_out_of_retries_fails_and_a_rerun_finishes(world: World) -> None:
    world.server.faults.fail_next("DeleteEvent", 30, status=429, after=4)
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="Throttled"):
        _erase(world, ALICE, attempts=1)
    assert any(events(world, ALICE, s) for s in ("s1", "s2", "s3"))
    report = _erase(world, ALICE)
    assert report.complete
    assert all(events(world, ALICE, s) == [] for s in ("s1", "s2", "s3"))


def test_every_call_of_an_erase_has_a_span(world: World) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    report = _erase(world, ALICE, tracer_provider=provider)
    spans = exporter.get_finished_spans()
    methods = [span.attributes["rpc.method"] for span in spans if span.attributes]
    calls = dict(report.calls)
    calls.pop("GetMemory")  # the control plane's call is not a memory call
    assert {m: methods.count(m) for m in set(methods)} == calls
    deletes = [s for s in spans if s.name == "delete_memory"]
    assert len(deletes) == calls["DeleteEvent"] + calls["BatchDeleteMemoryRecords"]


def test_two_erases_of_the_same_actor_at_once_both_finish(world: World) -> None:
    world.server.faults.set_latency(0.005, "DeleteEvent")
    reports: list[Any] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(_erase(world, ALICE))
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [r.complete for r in reports] == [True, True]
    assert all(events(world, ALICE, s) == [] for s in ("s1", "s2", "s3"))
