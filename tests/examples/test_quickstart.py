"""The quick start: examples/quickstart.py, which the README shows whole, run twice as written.

Offline, without AWS credentials; its tracing is the application's (a TracerProvider with a
console exporter), so no tracing warning is printed and every event carries a trace id.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
QUICKSTART = ROOT / "examples" / "quickstart.py"
TRACING_LINE = "trace.set_tracer_provider(provider)\n"
WARNING = "agentcore_memory_otel: trace stamping is on, but no OpenTelemetry tracer provider"


def quick_start_block() -> str:
    """The first Python block under the README's "Quick start" heading."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Quick start") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "no python block in the Quick start section"
    return match.group(1)


def test_the_readme_quick_start_is_the_example_file() -> None:
    assert quick_start_block() == QUICKSTART.read_text(encoding="utf-8")


def without_aws_credentials(home: Path) -> dict[str, str]:
    """The environment with every AWS setting removed and no credentials to find anywhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def run(script: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=without_aws_credentials(cwd),
    )


def test_quick_start_runs_twice_and_the_second_run_restores_the_first(tmp_path: Path) -> None:
    first, second = run(QUICKSTART, tmp_path), run(QUICKSTART, tmp_path)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "restored 0 messages" in first.stdout
    assert "restored 2 messages" in second.stdout  # the first run's user and assistant turn
    assert "agent: Nice to meet you, Ada!" in first.stdout
    traces = [
        re.findall(r"trace id of the newest event: ([0-9a-f]{32})$", run.stdout, re.M)
        for run in (first, second)
    ]
    assert all(len(found) == 1 for found in traces), (first.stdout, second.stdout)
    assert traces[0] != traces[1]  # each run's agent call is its own trace
    # The exporter's line for the agent call names the trace the event stored.
    for run_, (trace_id,) in zip((first, second), traces, strict=True):
        assert re.search(rf"span invoke_agent .* trace {trace_id}$", run_.stdout, re.M)
    assert WARNING not in first.stderr + second.stderr
    assert first.stderr == second.stderr == ""


def test_without_a_tracer_provider_the_library_warns_once(tmp_path: Path) -> None:
    example = QUICKSTART.read_text(encoding="utf-8")
    assert TRACING_LINE in example
    script = tmp_path / "untraced.py"
    untraced = example.replace(TRACING_LINE, "")
    # Without tracing nothing is stamped: print what the newest event holds instead.
    untraced = re.sub(r'print\("\\ntrace id.*\n', "print(newest)\n", untraced)
    script.write_text(untraced, encoding="utf-8")
    completed = run(script, tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.count(WARNING) == 1, completed.stderr
    assert "traceId" not in completed.stdout
    assert "span " not in completed.stdout  # the provider was never set: no span exported
