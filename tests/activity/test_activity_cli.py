"""``activity``: a trace's writes, reads and records, and a record's sources, on the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from ..cli.conftest import Cli, cli
from ..support import seed_records

__all__ = ["cli"]

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
OTHER = "0" * 31 + "1"
FORMS = {
    "32 hex digits": TRACE,
    "uppercase": TRACE.upper(),
    "dashed": f"{TRACE[:8]}-{TRACE[8:12]}-{TRACE[12:16]}-{TRACE[16:20]}-{TRACE[20:]}",
    "0x prefix": f"0x{TRACE}",
    "X-Ray": f"1-{TRACE[:8]}-{TRACE[8:]}",
}
STRATEGIES = [
    {
        "userPreferenceMemoryStrategy": {
            "name": "prefs",
            "namespaceTemplates": ["/preferences/{actorId}"],
        }
    }
]


@pytest.fixture
def story(server: LocalMemoryServer, control: Any) -> dict[str, str]:
    """A memory where trace ``TRACE`` read one seeded record and taught one by extraction."""
    memory_id = control.create_memory(
        name="cli_activity", eventExpiryDuration=30, memoryStrategies=STRATEGIES
    )["memory"]["id"]
    client = server.client()
    seed_records(server, memory_id, "/facts/ada", "Ada drinks tea")
    (seeded,) = client.list_memory_records(memoryId=memory_id, namespace="/facts/ada")[
        "memoryRecordSummaries"
    ]
    made = {}
    for second, (text, trace_id, extra) in enumerate(
        (
            ("I like Oslo.", TRACE, {}),
            ("Noted.", TRACE, {"memoryReads": {"stringValue": f"{seeded['memoryRecordId']}=0.75"}}),
            ("Other trace", OTHER, {}),
        )
    ):
        made[text] = client.create_event(
            memoryId=memory_id,
            actorId="ada",
            sessionId="s1",
            eventTimestamp=1_700_000_000 + second,
            payload=[{"conversational": {"content": {"text": text}, "role": "USER"}}],
            metadata={
                "traceId": {"stringValue": trace_id},
                "spanId": {"stringValue": "ab" * 8},
                **extra,
            },
        )["event"]["eventId"]
    assert server.backend.extraction.wait_idle(10)
    (taught,) = client.list_memory_records(memoryId=memory_id, namespace="/preferences/ada")[
        "memoryRecordSummaries"
    ]
    return {
        "memory": memory_id,
        "seeded": seeded["memoryRecordId"],
        "taught": taught["memoryRecordId"],
        "source": made["I like Oslo."],
        "reply": made["Noted."],
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
