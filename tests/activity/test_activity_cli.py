"""``activity``: a trace's writes, reads and records, and a record's sources, on the CLI."""

from __future__ import annotations

import json

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from ..cli.conftest import Cli, cli
from .conftest import TRACE

__all__ = ["cli"]

FORMS = {
    "32 hex digits": TRACE,
    "uppercase": TRACE.upper(),
    "dashed": f"{TRACE[:8]}-{TRACE[8:12]}-{TRACE[12:16]}-{TRACE[16:20]}-{TRACE[20:]}",
    "0x prefix": f"0x{TRACE}",
    "X-Ray": f"1-{TRACE[:8]}-{TRACE[8:]}",
}


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_every_trace_id_form_gives_the_same_activity(
    cli: Cli, server: LocalMemoryServer, story: dict[str, str], form: str
) -> None:
    code, out, err = cli(
        "activity", "--trace-id", form, "--memory-id", story["memory"],
        "--endpoint-url", server.endpoint_url, "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert shown["traceId"] == TRACE
    assert [e["eventId"] for e in shown["events"]] == [story["source"], story["reply"]]
    assert [e["branch"] for e in shown["events"]] == ["main", "main"]  # for a fork to show
    assert [
        (r["memoryRecordId"], r["score"], r["namespace"], r["eventId"]) for r in shown["reads"]
    ] == [(story["seeded"], 0.75, "/facts/ada", story["reply"])]
    assert [r["memoryRecordId"] for r in shown["records"]] == [story["taught"]]
    assert shown["superseded"] == []


def test_text_output_names_writes_reads_and_records(
    cli: Cli, server: LocalMemoryServer, story: dict[str, str]
) -> None:
    code, out, err = cli(
        "activity", "--trace-id", TRACE, "--memory-id", story["memory"], "--actor-id", "ada",
        "--session-id", "s1", "--endpoint-url", server.endpoint_url,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "Events written: 2" in out and "user: I like Oslo." in out
    assert f"{story['seeded']}  score=0.75  namespace=/facts/ada" in out
    assert f"Records learned from its events: 1\n  {story['taught']}" in out
    assert "Other trace" not in out


def test_a_record_leads_back_to_its_event_and_trace(
    cli: Cli, server: LocalMemoryServer, story: dict[str, str]
) -> None:
    code, out, err = cli(
        "activity", "--record-id", story["taught"], "--memory-id", story["memory"],
        "--endpoint-url", server.endpoint_url, "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert shown["traceIds"] == [TRACE]
    assert [(e["eventId"], e["traceId"], e["found"]) for e in shown["events"]] == [
        (story["source"], TRACE, True)
    ]
    # A record created without lineage says so.
    code, out, err = cli(
        "activity", "--record-id", story["seeded"], "--memory-id", story["memory"],
        "--endpoint-url", server.endpoint_url,
    )  # fmt: skip
    assert code == 0 and "No lineage" in out


def test_a_deleted_source_event_is_shown_as_gone(
    cli: Cli, server: LocalMemoryServer, story: dict[str, str]
) -> None:
    server.client().delete_event(
        memoryId=story["memory"], actorId="ada", sessionId="s1", eventId=story["source"]
    )
    code, out, _ = cli(
        "activity", "--record-id", story["taught"], "--memory-id", story["memory"],
        "--endpoint-url", server.endpoint_url,
    )  # fmt: skip
    assert code == 0 and f"{story['source']}  trace=None  (deleted since)" in out


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--record-id", "mem-short"], "record id must have at least 40 characters"),
        (["--record-id", "x" * 45], "record id"),
        (["--trace-id", "not-a-trace"], "not a trace id"),
        ([], "one of the arguments --trace-id --record-id is required"),
    ],
)
def test_bad_arguments_are_named(
    cli: Cli, server: LocalMemoryServer, memory_id: str, argv: list[str], problem: str
) -> None:
    code, out, err = cli("activity", *argv, "--memory-id", memory_id)
    assert code == 2 and out == "" and problem in err


def test_a_read_record_deleted_since_is_still_named(
    cli: Cli, server: LocalMemoryServer, story: dict[str, str]
) -> None:
    server.client().delete_memory_record(memoryId=story["memory"], memoryRecordId=story["seeded"])
    code, out, _ = cli(
        "activity", "--trace-id", TRACE, "--memory-id", story["memory"],
        "--endpoint-url", server.endpoint_url,
    )  # fmt: skip
    assert code == 0 and f"{story['seeded']}  score=0.75  (record deleted since)" in out


def test_an_unknown_record_is_a_failure_naming_it(
    cli: Cli, server: LocalMemoryServer, story: dict[str, str]
) -> None:
    missing = "mem-" + "0" * 36
    code, out, err = cli(
        "activity", "--record-id", missing, "--memory-id", story["memory"],
        "--endpoint-url", server.endpoint_url,
    )  # fmt: skip
    assert code == 1 and out == "" and missing in err


def test_library_calls_name_the_bad_argument(server: LocalMemoryServer, memory_id: str) -> None:
    from agentcore_memory_otel.session.activity import (
        record_sources,
        trace_activity,
        trace_records,
    )

    client = server.client()
    with pytest.raises(ValueError, match="record_id must have at least 40 characters"):
        record_sources("mem-1", memory_id=memory_id, client=client)
    with pytest.raises(ValueError, match="not a trace id"):
        trace_activity("\udcff" * 32, memory_id=memory_id, client=client)
    with pytest.raises(ValueError, match="namespace_path"):
        trace_records(TRACE, memory_id=memory_id, namespace_path="bad path!", client=client)


def test_an_event_on_a_branch_shows_its_branch(
    cli: Cli, server: LocalMemoryServer, story: dict[str, str]
) -> None:
    forked = server.client().create_event(
        memoryId=story["memory"],
        actorId="ada",
        sessionId="s1",
        eventTimestamp=1_700_000_010,
        payload=[{"conversational": {"content": {"text": "On a fork"}, "role": "USER"}}],
        metadata={"traceId": {"stringValue": TRACE}},
        branch={"name": "fork-1", "rootEventId": story["source"]},
    )["event"]["eventId"]
    code, out, _ = cli(
        "activity", "--trace-id", TRACE, "--memory-id", story["memory"],
        "--endpoint-url", server.endpoint_url,
    )  # fmt: skip
    assert code == 0 and f"{forked}  session=s1  branch=fork-1  span=None" in out
