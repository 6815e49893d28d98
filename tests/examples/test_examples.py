"""Every example runs as a user would run it, against the local server, and shows its point.

Each sets up tracing as an application does (a TracerProvider with an exporter), so none may
print the library's no-tracer-provider warning, and each prints a stored event's trace id.
examples/quickstart.py is the README's quick start: tests/examples/test_quickstart.py runs it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .test_quickstart import WARNING

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

RUN_BY_TEST_QUICKSTART = "quickstart.py"
# A line naming a trace id that a stored event carries (the examples' own wording).
STORED_TRACE = re.compile(
    r"^(?:trace id.*|event .*trace id|stamped in the event): *([0-9a-f]{32})$", re.M
)

EXPECTED = {
    "batching.py": [
        "buffered before the block ends: 1",
        "messages stored: 7, CreateEvent calls: 3",
        "event of 1 item(s), trace id: none (no span)",  # the note appended outside any span
    ],
    "resume_after_restart.py": [
        "restored messages: 2",
        "restored state: Oslo",
        "reads to restore: 1",
    ],
    "long_term_memory.py": ["<user_context>Ada is vegetarian and loves spicy food.</user_context>"],
    "langfuse_trace_correlation.py": ["Langfuse trace id:", "stamped in the event:"],
    "langfuse_feedback.py": ["Langfuse trace id in the call:", "offline: would post score"],
    "prometheus_metrics.py": [
        'agentcore_memory_api_calls_total{agentcore_memory_operation="CreateEvent"',
        "agentcore_memory_calls_avoided_total",
    ],
    "find_events_by_trace_id.py": [
        "user {'text': 'Weather in Oslo?'}",
        "'toolUse'",
        "'toolResult'",
        "assistant {'text': 'Rainy, 11°C.'}",
    ],
}


# Needs the local server's extraction of long-term records from events.
EXTRACTION = {
    "long_term_memory_extraction.py": [
        "strategies: USER_PREFERENCE, SEMANTIC, SUMMARIZATION",
        "extracted into /preferences/ada: ",
        "extracted into /facts/ada: ",
        "extracted into /summaries/ada/monday: ",
        "memory manager injected: <memory>",
        "session manager injected: <user_context>",
        "spans written to extraction-spans.jsonl",
    ],
}


def test_every_example_is_tested() -> None:
    assert {p.name for p in EXAMPLES.glob("*.py")} == set(EXPECTED) | set(EXTRACTION) | {
        RUN_BY_TEST_QUICKSTART
    }


def _run(name: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGFUSE_")}
    completed = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )
    assert completed.returncode == 0, completed.stderr
    # The application set up tracing: no warning, no traceback, and its events carry trace ids.
    assert WARNING not in completed.stderr
    assert "Traceback" not in completed.stderr
    assert STORED_TRACE.search(completed.stdout), completed.stdout
    return completed


def test_long_term_memory_extraction_example(tmp_path: Path) -> None:
    out = _run("long_term_memory_extraction.py", tmp_path).stdout
    for expected in EXTRACTION["long_term_memory_extraction.py"]:
        assert expected in out, (expected, out)
    # The later session is given the sushi preference extracted from the first one.
    by_memory_manager = out.split("memory manager injected:")[1].split("session manager")[0]
    assert "sushi" in by_memory_manager.lower(), out
    assert "sushi" in out.split("session manager injected:")[1].lower(), out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example(name: str, tmp_path: Path) -> None:
    completed = _run(name, tmp_path)
    for expected in EXPECTED[name]:
        assert expected in completed.stdout, (expected, completed.stdout)
    if name == "langfuse_trace_correlation.py":
        lines = dict(line.split(":", 1) for line in completed.stdout.splitlines() if ":" in line)
        assert lines["Langfuse trace id"].strip() == lines["stamped in the event"].strip()
    if name == "langfuse_feedback.py":
        lines = dict(line.split(":", 1) for line in completed.stdout.splitlines() if ":" in line)
        inside = lines["Langfuse trace id in the call"].strip()
        assert re.fullmatch("[0-9a-f]{32}", inside), completed.stdout
        assert lines["trace_id_of(reply)"].strip() == inside
        assert lines["stamped in the event"].strip() == inside
        assert completed.stdout.rstrip().endswith(f"on trace {inside}")
    if name == "find_events_by_trace_id.py":
        assert completed.stdout.count("#") == 4  # exactly the first turn's four events
    if name == "resume_after_restart.py":
        # Two runs, two traces: each run's events carry the trace of its own agent call.
        stamps = re.findall(r"^event \w+ +trace id: ([0-9a-f]{32})$", completed.stdout, re.M)
        assert len(stamps) == 4 and len(set(stamps)) == 2, completed.stdout
        for stamp in set(stamps):
            assert f"span invoke_agent Strands Agents, trace {stamp}" in completed.stdout
    if name == "batching.py":
        # The spans file holds the trace the first batched event names.
        spans = re.search(
            r"spans of trace ([0-9a-f]{32}) in batching-spans.jsonl: (\d+)", completed.stdout
        )
        assert spans is not None and int(spans.group(2)) > 0, completed.stdout
