"""The demo command, run as a user runs it: offline, on the embedded server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def run_demo(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[str, dict[str, Any]]:
    """Run ``agentcore-memory-otel demo`` in ``tmp_path``; return its output and JSON summary."""
    summary = tmp_path / "summary.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "agentcore_memory_otel",
            "demo",
            "--metrics-port",
            "0",
            "--db",
            str(tmp_path / "demo.db"),
            "--json-summary",
            str(summary),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        env=env,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout, json.loads(summary.read_text())


def test_demo_runs_offline_and_ends_with_the_summary(tmp_path: Path) -> None:
    out, data = run_demo(tmp_path)
    for step in range(1, 7):
        assert f"[{step}/6]" in out
    assert "scripted model (offline" in out
    assert "memory injected: <user_context>The user prefers mild weather" in out
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
    assert f"agentcore-memory-otel events --trace-id {tool_trace}" in out
    assert "[toolResult success: sunny, 24°C]" in out.split(f"trace id {tool_trace}:")[1]


def test_batching_and_latency_options(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "ten").mkdir()
    _, unbatched = run_demo(tmp_path / "one")
    out, batched = run_demo(tmp_path / "ten", "--batch-size", "10", "--latency-ms", "5")
    assert "adding 5 ms per call" in out
    assert batched["calls"]["made"] == batched["invocations"]  # one CreateEvent per invocation
    assert batched["calls"]["made"] < unbatched["calls"]["made"]
    assert batched["calls"]["naive"] == unbatched["calls"]["naive"]


@pytest.mark.parametrize("bad", [["--model", "gpt"], ["--batch-size"]])
def test_demo_rejects_bad_options(bad: list[str]) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "agentcore_memory_otel", "demo", *bad],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
