"""``events``: a trace id in any common form finds the same events; finding none is not an error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentcore_memory_otel.local import LocalMemoryServer

from .conftest import Cli

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
FORMS = {
    "32 hex digits": TRACE,
    "uppercase": TRACE.upper(),
    "dashed": f"{TRACE[:8]}-{TRACE[8:12]}-{TRACE[12:16]}-{TRACE[16:20]}-{TRACE[20:]}",
    "0x prefix": f"0x{TRACE}",
    "X-Ray": f"1-{TRACE[:8]}-{TRACE[8:]}",
}


@pytest.fixture
def stamped(client: Any, memory_id: str) -> str:
    """A memory with one event of trace ``TRACE`` and one of another trace."""
    for text, trace_id in (("Weather in Oslo?", TRACE), ("Other trace", "0" * 31 + "1")):
        client.create_event(
            memoryId=memory_id,
            actorId="ada",
            sessionId="s1",
            eventTimestamp=1_700_000_000,
            payload=[{"conversational": {"content": {"text": text}, "role": "USER"}}],
            metadata={"traceId": {"stringValue": trace_id}, "spanId": {"stringValue": "ab" * 8}},
        )
    return memory_id


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_every_trace_id_form_finds_the_event(
    cli: Cli, server: LocalMemoryServer, stamped: str, form: str
) -> None:
    code, out, err = cli(
        "events", "--trace-id", form, "--memory-id", stamped, "--actor-id", "ada",
        "--endpoint-url", server.endpoint_url,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert f"1 event(s) for trace {TRACE}:" in out
    assert "user: Weather in Oslo?" in out
    assert "Other trace" not in out


def test_no_events_exits_0_in_text_and_json(
    cli: Cli, server: LocalMemoryServer, stamped: str
) -> None:
    argv = ["events", "--trace-id", "f" * 32, "--memory-id", stamped, "--actor-id", "ada"]
    argv += ["--endpoint-url", server.endpoint_url]
    text_code, text, _ = cli(*argv)
    json_code, as_json, _ = cli(*argv, "--json")
    assert (text_code, json_code) == (0, 0)
    assert text.startswith(f"No events found for trace {'f' * 32} in actor ada of memory")
    assert json.loads(as_json) == []


def test_without_actor_or_session_the_lookup_walks_the_memory(
    cli: Cli, server: LocalMemoryServer, client: Any, stamped: str
) -> None:
    # Another actor's session, without the trace, is walked too.
    client.create_event(
        memoryId=stamped,
        actorId="bob",
        sessionId="s9",
        eventTimestamp=1_700_000_000,
        payload=[{"conversational": {"content": {"text": "Bob here"}, "role": "USER"}}],
    )
    argv = ["events", "--trace-id", FORMS["X-Ray"], "--memory-id", stamped]
    code, out, err = cli(*argv, "--endpoint-url", server.endpoint_url)
    assert (code, err) == (0, "")
    assert f"1 event(s) for trace {TRACE}:" in out
    assert "session=s1" in out and "user: Weather in Oslo?" in out
    assert "Bob here" not in out
    report = out.strip().splitlines()[-1]
    assert report.startswith("Lookup: ") and "ListActors 1" in report, report
    assert "ListEvents" in report and "session(s) searched" in report


def test_without_actor_no_events_says_the_whole_memory_was_searched(
    cli: Cli, server: LocalMemoryServer, stamped: str
) -> None:
    argv = ["events", "--trace-id", "f" * 32, "--memory-id", stamped, "--json"]
    code, out, err = cli(*argv, "--endpoint-url", server.endpoint_url)
    assert (code, json.loads(out)) == (0, [])
    assert err.startswith("Lookup: 3 call(s) (ListActors 1, ListEvents 1, ListSessions 1)"), err
    assert "1 session(s) searched" in err
    code, out, _ = cli(*argv[:-1], "--endpoint-url", server.endpoint_url)
    assert code == 0
    assert out.startswith(
        f"No events found for trace {'f' * 32} in every actor and session of memory {stamped}"
    )


def test_an_actor_without_sessions_is_named_with_the_count_searched(
    cli: Cli, server: LocalMemoryServer, stamped: str
) -> None:
    argv = ["events", "--trace-id", TRACE, "--memory-id", stamped, "--actor-id", "nobody"]
    code, out, err = cli(*argv, "--endpoint-url", server.endpoint_url)
    assert (code, err) == (0, "")
    first, report = out.strip().splitlines()
    assert first == (
        f"No events found: actor nobody has no sessions in memory {stamped} (0 sessions "
        "searched); check --actor-id (ids are case-sensitive), or leave it out to search "
        "every actor."
    )
    assert "0 session(s) searched" in report


def test_a_memory_without_sessions_says_so(
    cli: Cli, server: LocalMemoryServer, memory_id: str
) -> None:
    argv = ["events", "--trace-id", TRACE, "--memory-id", memory_id]
    code, out, _ = cli(*argv, "--endpoint-url", server.endpoint_url)
    assert code == 0
    assert out.startswith(f"No events found: memory {memory_id} has no sessions yet (0 sessions")


def test_json_leaves_strands_bookkeeping_out_unless_all_fields(
    cli: Cli, server: LocalMemoryServer, memory_id: str
) -> None:
    """A real agent's messages carry Strands' tracking_id and a scripted model's zero usage."""
    from opentelemetry.sdk.trace import TracerProvider
    from strands import Agent

    from agentcore_memory_otel import AgentCoreMemoryConfig, AgentCoreMemorySessionManager
    from agentcore_memory_otel.testing import ScriptedModel

    config = AgentCoreMemoryConfig(memory_id=memory_id, session_id="s1", actor_id="ada")
    tracer = TracerProvider().get_tracer("test")
    with (
        AgentCoreMemorySessionManager(config, endpoint_url=server.endpoint_url) as memory,
        tracer.start_as_current_span("request") as span,
    ):
        Agent(model=ScriptedModel(["Hello!"]), session_manager=memory, callback_handler=None)("Hi")
    trace_id = f"{span.get_span_context().trace_id:032x}"
    argv = ["events", "--trace-id", trace_id, "--memory-id", memory_id, "--json"]
    argv += ["--endpoint-url", server.endpoint_url]
    _, default, _ = cli(*argv)
    _, everything, _ = cli(*argv, "--all-fields")
    stored = [m for e in json.loads(everything) for m in e["messages"]]
    shown = [m for e in json.loads(default) for m in e["messages"]]
    assert [m["role"] for m in shown] == ["user", "assistant"]
    assert all("tracking_id" in m for m in stored)  # what Strands stores, shown on request
    assert any(m.get("metadata", {}).get("usage") == {"inputTokens": 0, "outputTokens": 0,
               "totalTokens": 0} for m in stored)  # fmt: skip
    assert shown == [{"role": m["role"], "content": m["content"]} for m in stored]


def test_json_keeps_token_counts_a_model_reported() -> None:
    from agentcore_memory_otel.cli.display import user_fields

    usage = {"inputTokens": 12, "outputTokens": 3, "totalTokens": 15}
    shown = {"role": "assistant", "content": [], "metadata": {"usage": usage}}
    assert user_fields({**shown, "tracking_id": "x"}) == shown
