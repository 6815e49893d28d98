"""The demo command, run as a user runs it: offline, on the embedded server."""

from __future__ import annotations

import http.server
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from agentcore_memory_otel.cli.main import main
from agentcore_memory_otel.local import LocalMemoryServer

from ..support import (
    demo_here,
    demo_process,
    free_port,
    run_demo,
    run_demo_here,
    without_aws,
)


def test_demo_runs_offline_and_ends_with_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    metrics = f"http://127.0.0.1:{(port := free_port())}/metrics"
    out, data = run_demo(tmp_path, "--metrics-port", str(port))
    for step in range(1, 8):
        assert f"[{step}/7]" in out
    assert "scripted model (offline" in out
    # The memory's strategies extracted the first session's preference and fact, and its
    # summary; nothing was seeded.
    assert "BatchCreateMemoryRecords" not in data["serverCalls"]
    records = {r["strategy"]: r for r in data["extractedRecords"]}
    assert set(records) == {"USER_PREFERENCE", "SEMANTIC", "SUMMARIZATION"}
    assert records["USER_PREFERENCE"] == {
        "namespace": "/users/demo-user/preferences",
        "strategy": "USER_PREFERENCE",
        "text": "The user prefers mild weather.",
    }
    assert records["SEMANTIC"]["text"] == (
        "The user lives in Porto and the user is planning a trip in May."
    )
    assert records["SUMMARIZATION"]["namespace"] == f"/users/demo-user/sessions/{data['sessionId']}"
    assert "3 record(s) extracted" in out
    assert re.search(r"/users/demo-user/preferences +USER_PREFERENCE +The user prefers mild", out)
    # Only the resumed session retrieves (once per recalled namespace), and gets them injected.
    assert data["serverCalls"]["RetrieveMemoryRecords"]["success"] == 2
    first, resumed = out.split("[5/7]")
    assert "memory injected" not in first
    assert "memory injected: <user_context>The user prefers mild weather.</user_context>" in resumed
    assert "[toolUse get_weather" in out
    assert "restored 16 messages with 1 ListEvents call(s)" in out
    # Every stored event carries the trace of the turn that wrote it.
    assert len(data["events"]) == data["serverCalls"]["CreateEvent"]["success"]
    assert {e["metadata"]["traceId"] for e in data["events"]} == set(data["traceIds"])
    assert all(len(e["metadata"]["spanId"]) == 16 for e in data["events"])
    # The summary's call counts are the server's.
    calls = data["calls"]
    assert calls["made"] == data["serverCalls"]["CreateEvent"]["success"]
    assert calls["naive"] > calls["made"]
    assert (
        f"CreateEvent calls made: {int(calls['made'])}; a naive session manager: "
        f"{int(calls['naive'])} ({calls['saved_percent']:.0f}% saved)" in out
    )
    assert "p50 ms" in out and "RetrieveMemoryRecords" in out
    tool_trace = data["traceIds"][1]
    # The closing hint: serve the demo's file, open the console on one turn, or use `events`.
    hint = out.split("[7/7] Look at it yourself")[1]
    assert f"agentcore-memory-otel serve --db {tmp_path / 'demo.db'}" in hint
    assert f"http://127.0.0.1:8765/console?memoryId={data['memoryId']}&traceId={tool_trace}" in hint
    command = next(line.split() for line in hint.splitlines() if " events " in line)
    assert command[:5] == [
        "agentcore-memory-otel",
        "events",
        "--trace-id",
        tool_trace,
        "--memory-id",
    ]
    assert "--actor-id" not in command
    # The hinted command finds the turn's 4 events once the demo's file is served.
    with LocalMemoryServer(tmp_path / "demo.db") as served:
        endpoint = command.index("--endpoint-url") + 1
        command[endpoint] = served.endpoint_url
        assert main(command[1:]) == 0
    assert f"4 event(s) for trace {tool_trace}:" in capsys.readouterr().out
    assert "user: [toolResult success: sunny, 24°C]" in out.split(f"trace id {tool_trace}:")[1]
    # The table names a tool result as `events` does: a user message with a toolResult block.
    assert "user: toolResult" in out.split("Events stored in session")[1]
    assert "TOOL" not in out
    # Memory spans in the trace trees are explained where they are shown.
    assert "[CreateEvent] stores one event of this session" in out
    assert "  [CreateEvent]  eventId=" in out
    # Without --hold the metrics endpoint stops with the run, and the demo says so.
    assert f"served on {metrics} during the run and stop with it" in out


def test_batching_and_latency_options(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "ten").mkdir()
    _, unbatched = run_demo_here(tmp_path / "one")
    out, batched = run_demo_here(tmp_path / "ten", "--batch-size", "10", "--latency-ms", "5")
    assert "adding 5 ms per call" in out
    assert batched["calls"]["made"] == batched["invocations"]  # one CreateEvent per invocation
    assert batched["calls"]["made"] < unbatched["calls"]["made"]
    assert batched["calls"]["naive"] == unbatched["calls"]["naive"]


@pytest.mark.parametrize("bad", [["--model", "gpt"], ["--batch-size"]])
def test_demo_rejects_bad_options(tmp_path: Path, bad: list[str]) -> None:
    status, out, err = demo_here(tmp_path, *bad)
    assert status == 2
    assert out == "" and err.startswith("agentcore-memory-otel demo: argument --")


def test_aws_without_credentials_fails_in_one_line_before_any_step(tmp_path: Path) -> None:
    completed = demo_process(tmp_path, "--aws", env=without_aws(tmp_path))
    assert completed.returncode == 1
    assert completed.stdout == ""  # no step was started
    assert completed.stderr.strip().splitlines() == [
        "agentcore-memory-otel demo: --aws needs AWS credentials and none were found: set up "
        "AWS credentials (AWS_PROFILE, `aws configure`, or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY)"
    ]


@pytest.mark.parametrize(
    ("argument", "env", "region"),
    [
        (None, {}, "us-east-1"),
        (None, {"AWS_DEFAULT_REGION": "eu-central-1"}, "eu-central-1"),
        (None, {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-central-1"}, "eu-west-1"),
        ("ap-south-1", {"AWS_REGION": "eu-west-1"}, "ap-south-1"),
    ],
)
def test_region_comes_from_the_option_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, argument: str | None, env: dict[str, str], region: str
) -> None:
    from agentcore_memory_otel.client.boto import resolve_region

    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert resolve_region(argument) == region


def test_a_failed_otlp_export_is_reported_as_failed(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    env = without_aws(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=dead)
    completed = demo_process(tmp_path, env=env)
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert f"Traces NOT exported: nothing listens at {dead}" in out
    assert "Traces exported over OTLP" not in out
    # Said before the first turn, not only in the last line; the trees are printed instead.
    first_turn = out.index("  you:")
    said = out.index(f"Traces NOT exported: nothing listens at {dead} (OTEL_EXPORTER_OTLP")
    assert said < first_turn
    assert out.count("    invoke_agent travel-assistant") == out.count("  you:") > 1


@pytest.mark.parametrize("status", [200, 400])
def test_what_the_collector_answers_is_what_the_demo_reports(tmp_path: Path, status: int) -> None:
    received: list[int] = []

    class Collector(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(len(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(status)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Collector) as collector:
        threading.Thread(target=collector.serve_forever, daemon=True).start()
        endpoint = f"http://127.0.0.1:{collector.server_address[1]}"
        completed = demo_process(
            tmp_path, env=without_aws(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint)
        )
        collector.shutdown()
    assert completed.returncode == 0, completed.stderr
    assert received  # the collector was sent spans either way
    if status == 200:
        exported = re.search(
            rf"Traces exported over OTLP to {endpoint}: (\d+) span\(s\)", completed.stdout
        )
        assert exported is not None and int(exported.group(1)) > 0, completed.stdout
        assert "NOT exported" not in completed.stdout
        assert "invoke_agent travel-assistant" not in completed.stdout  # no trees: exported
    else:
        out = completed.stdout
        assert f"Traces NOT exported: the OTLP export to {endpoint} failed" in out
        assert "(0 delivered)" in out
        # The first failed export is reported at the turn that met it, once, and from that
        # turn on the trace trees are printed in the terminal.
        turns = out.split("\n  you:")[1:]
        note = f"Traces NOT exported: the OTLP export to {endpoint} failed for "
        assert note in turns[0] and "trace trees are printed here instead" in turns[0], out
        assert out.count("trace trees are printed here instead") == 1
        assert all("    invoke_agent travel-assistant" in turn for turn in turns)


def test_with_hold_the_metrics_url_is_printed_while_served(tmp_path: Path) -> None:
    port = free_port()
    completed = demo_process(tmp_path, "--metrics-port", str(port), "--hold", "0.2")
    assert completed.returncode == 0, completed.stderr
    url = f"http://127.0.0.1:{port}/metrics"
    assert f"Serving Prometheus metrics on {url} for 0.2 s" in completed.stdout
    assert completed.stdout.rstrip().endswith("Stopped serving metrics.")


def test_an_unknown_memory_id_fails_in_one_line(tmp_path: Path) -> None:
    status, _, err = demo_here(tmp_path, "--memory-id", "nope_memory-a1B2c3D4e5")
    assert status == 1
    assert err.strip().splitlines() == [
        "agentcore-memory-otel demo: memory nope_memory-a1B2c3D4e5 does not exist at the "
        f"embedded server (SQLite file {tmp_path / 'demo.db'}): check --memory-id, or leave it "
        "out to create a memory"
    ]


def test_a_memory_without_strategies_runs_without_long_term_memory(tmp_path: Path) -> None:
    with LocalMemoryServer(tmp_path / "demo.db") as server:
        control = server.client("bedrock-agentcore-control")
        memory_id = control.create_memory(name="plain", eventExpiryDuration=30)["memory"]["id"]
    out, data = run_demo_here(tmp_path, "--memory-id", memory_id)
    assert "it has no long-term strategies: nothing will be extracted or injected" in out
    assert "retrieving nothing into <user_context>" in out
    assert "memory injected" not in out
    assert data["extractedRecords"] == []
    assert "RetrieveMemoryRecords" not in data["serverCalls"]
